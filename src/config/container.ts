// Container runtime settings. Falco >= 0.41 reads them from the `container` plugin's init_config
// (label_max_len, with_size, hooks, engines.{docker,podman,containerd,cri}.{enabled,sockets},
// engines.{lxc,libvirt_lxc,bpm}.enabled); Falco 0.38 to 0.40 had a top-level `container_engines` key.
// Saker tracks containers itself, so it reads either into one ContainerConfig, with the container
// plugin's defaults (every engine on, its default sockets) for what is not given. The plugin entry wins
// when both are present. Types are checked here, since no generic schema covers a plugin's init_config.
import type { ConfigDiagnostic } from "./diagnostics.js";
import { configError } from "./diagnostics.js";
import type { Positions } from "./materialize.js";
import type { ContainerConfig, ContainerEngineConfig } from "./types.js";

export const DEFAULT_CONTAINER_SOCKETS = {
  docker: ["/var/run/docker.sock"],
  podman: ["/run/podman/podman.sock"],
  containerd: ["/run/host-containerd/containerd.sock"],
  cri: [
    "/run/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/run/k3s/containerd/containerd.sock",
    "/run/host-containerd/containerd.sock",
  ],
} as const;

function socketsEngine(
  name: keyof typeof DEFAULT_CONTAINER_SOCKETS,
  enabled = true,
  sockets: readonly string[] = [],
) {
  return { enabled, sockets: sockets.length > 0 ? [...sockets] : [...DEFAULT_CONTAINER_SOCKETS[name]] };
}

export function defaultContainerConfig(): ContainerConfig {
  return {
    source: "defaults",
    labelMaxLen: 100,
    withSize: false,
    hooks: ["create"],
    engines: {
      docker: socketsEngine("docker"),
      podman: socketsEngine("podman"),
      containerd: socketsEngine("containerd"),
      cri: { ...socketsEngine("cri"), disableAsync: false },
      lxc: { enabled: true },
      libvirtLxc: { enabled: true },
      bpm: { enabled: true },
    },
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** From the container plugin's init_config (an object; a JSON string is parsed). */
export function containerFromPlugin(
  initConfig: unknown,
  pointer: string,
  positions: Positions,
  diagnostics: ConfigDiagnostic[],
): ContainerConfig {
  const base = defaultContainerConfig();
  let cfg: unknown = initConfig;
  if (typeof cfg === "string") {
    if (cfg.trim() === "") cfg = {};
    else {
      try {
        cfg = JSON.parse(cfg);
      } catch {
        diagnostics.push(
          invalid(pointer, "the container plugin's init_config must be a mapping or JSON text", positions),
        );
        return { ...base, source: "plugin" };
      }
    }
  }
  if (cfg === null || cfg === undefined) return { ...base, source: "plugin" };
  if (!isObj(cfg)) {
    diagnostics.push(invalid(pointer, "the container plugin's init_config must be a mapping", positions));
    return { ...base, source: "plugin" };
  }
  const get = <T>(
    obj: Obj,
    key: string,
    at: string,
    check: (v: unknown) => v is T,
    what: string,
    dflt: T,
  ): T => {
    if (!(key in obj) || obj[key] === null) return dflt;
    const v = obj[key];
    if (check(v)) return v;
    diagnostics.push(invalid(`${at}/${key}`, `must be ${what}, not ${JSON.stringify(v)}`, positions));
    return dflt;
  };
  const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
  const isBool = (v: unknown): v is boolean => typeof v === "boolean";
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
  const isHooks = (v: unknown): v is ("create" | "start")[] =>
    Array.isArray(v) && v.every((s) => s === "create" || s === "start");
  const isObjV = (v: unknown): v is Obj => isObj(v);

  const labelMaxLen = get(cfg, "label_max_len", pointer, isInt, "a non-negative integer", base.labelMaxLen);
  const withSize = get(cfg, "with_size", pointer, isBool, "a boolean", base.withSize);
  const hooks = get(cfg, "hooks", pointer, isHooks, "a list of 'create' and/or 'start'", [...base.hooks]);
  const enginesAt = `${pointer}/engines`;
  const engines = get(cfg, "engines", pointer, isObjV, "a mapping", {} as Obj);
  const known = new Set(["docker", "podman", "containerd", "cri", "lxc", "libvirt_lxc", "bpm", "static"]);
  for (const key of Object.keys(engines)) {
    if (!known.has(key))
      diagnostics.push(invalid(`${enginesAt}/${key}`, `unknown container engine '${key}'`, positions));
  }
  const sockets = (name: keyof typeof DEFAULT_CONTAINER_SOCKETS): ContainerEngineConfig => {
    const e = get(engines, name, enginesAt, isObjV, "a mapping", {} as Obj);
    const at = `${enginesAt}/${name}`;
    return socketsEngine(
      name,
      get(e, "enabled", at, isBool, "a boolean", true),
      get(e, "sockets", at, isStrings, "a list of socket paths", []),
    );
  };
  const simple = (name: string): { enabled: boolean } => {
    const e = get(engines, name, enginesAt, isObjV, "a mapping", {} as Obj);
    return { enabled: get(e, "enabled", `${enginesAt}/${name}`, isBool, "a boolean", true) };
  };
  return {
    source: "plugin",
    labelMaxLen,
    withSize,
    hooks: hooks.length > 0 ? [...new Set(hooks)] : [],
    engines: {
      docker: sockets("docker"),
      podman: sockets("podman"),
      containerd: sockets("containerd"),
      cri: { ...sockets("cri"), disableAsync: false },
      lxc: simple("lxc"),
      libvirtLxc: simple("libvirt_lxc"),
      bpm: simple("bpm"),
    },
  };
}

/** From the old `container_engines` key (validated by the schema, defaults filled). */
export function containerFromLegacy(engines: Obj): ContainerConfig {
  const base = defaultContainerConfig();
  const enabled = (name: string): boolean => {
    const e = engines[name];
    return isObj(e) && typeof e.enabled === "boolean" ? e.enabled : true;
  };
  const cri = isObj(engines.cri) ? engines.cri : {};
  const criSockets = Array.isArray(cri.sockets) ? (cri.sockets as string[]) : [];
  return {
    ...base,
    source: "container_engines",
    engines: {
      docker: socketsEngine("docker", enabled("docker")),
      podman: socketsEngine("podman", enabled("podman")),
      // Falco <= 0.40 reached containerd through its CRI support.
      containerd: socketsEngine("containerd", enabled("cri")),
      cri: { ...socketsEngine("cri", enabled("cri"), criSockets), disableAsync: cri.disable_async === true },
      lxc: { enabled: enabled("lxc") },
      libvirtLxc: { enabled: enabled("libvirt_lxc") },
      bpm: { enabled: enabled("bpm") },
    },
  };
}

function invalid(pointer: string, message: string, positions: Positions): ConfigDiagnostic {
  // The nearest position at or above the pointer (a JSON-text init_config has none inside it).
  let base = pointer;
  while (base !== "" && !positions.has(base)) base = base.slice(0, base.lastIndexOf("/"));
  const at = positions.get(base);
  const rest = pointer
    .slice(base.length)
    .split("/")
    .filter((s) => s !== "")
    .map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`))
    .join("");
  return configError("SAKER_CONFIG_INVALID", `${at?.path ?? ""}${rest}`.replace(/^\./, ""), message, at?.loc);
}
