// Which event sources a `saker run` has, from the configuration's plugins and Falco's source flags, decided
// before anything starts (pure: no I/O).
//
//   plugins      every loaded `plugins` entry (load_plugins applied) must be one Saker has built in:
//                k8saudit (the k8s_audit source), json (its json.*/jevt.* fields, always present here) and
//                container (container metadata, from the state engine). library_path is never loaded.
//   loaded       "syscall", always, then the source of each loaded source plugin (Falco's load_plugins).
//   enabled      every loaded source; --enable-source keeps only the named ones, --disable-source removes
//                the named ones; the two cannot be mixed, a name that is not loaded is an error, and at
//                least one source must stay enabled (Falco's select_event_sources, same messages).
//   k8s_audit    when enabled: the k8saudit plugin's init_config (sslCertificate, maxEventSize,
//                webhookMaxBatchSize, useAsync) and open_params, read as the plugin reads them:
//                `http://[host]:port/path` or `https://...` starts the webhook there, a path (no scheme)
//                is a file or directory of audit events read once.
//
// Every refusal is a value with a stable code (SOURCE_ERRORS) and Falco's message where Falco has one.
import type { PluginConfig } from "../config/types.js";
import { escapeText } from "../alerts/escape.js";
import { DEFAULT_MAX_EVENT_SIZE, DEFAULT_MAX_PAYLOAD_BYTES } from "../k8saudit/event.js";
import { K8S_AUDIT_SOURCE_NAME } from "../k8saudit/schema.js";

export const SYSCALL_SOURCE_NAME = "syscall";

export const SOURCE_ERRORS = {
  /** --enable-source and --disable-source given together. */
  SAKER_RUN_SOURCE_MIX: "You can not mix --enable-source and --disable-source",
  /** --enable-source/--disable-source names a source that is not loaded. */
  SAKER_RUN_SOURCE_UNKNOWN: "unknown event source",
  /** --disable-source left no source enabled. */
  SAKER_RUN_SOURCE_NONE: "Must enable at least one event source",
  /** A loaded plugin that Saker does not have built in (it cannot load plugin libraries). */
  SAKER_RUN_PLUGIN: "plugin not available",
  /** The k8saudit plugin's init_config is not a JSON object with the plugin's keys and types. */
  SAKER_RUN_PLUGIN_CONFIG: "invalid plugin init_config",
  /** The k8saudit plugin's open_params is empty or not a form the plugin accepts. */
  SAKER_RUN_AUDIT_OPEN_PARAMS: "invalid k8saudit open_params",
} as const;

export type SourceErrorCode = keyof typeof SOURCE_ERRORS;

export interface SourceError {
  readonly code: SourceErrorCode;
  readonly message: string;
}

/** The plugins Saker has built in, and the event source each provides (null: fields only). */
export const BUILT_IN_PLUGINS: ReadonlyMap<string, string | null> = new Map([
  ["k8saudit", K8S_AUDIT_SOURCE_NAME],
  ["json", null],
  ["container", null],
]);

/** Where the k8s_audit source reads its events. */
export type AuditInput =
  | { readonly kind: "file"; readonly path: string }
  | {
      readonly kind: "webhook";
      readonly tls: boolean;
      /** Interface to listen on; undefined: every interface (the plugin's `http://:9765/...`). */
      readonly host: string | undefined;
      readonly port: number;
      readonly path: string;
    };

/** The k8s_audit source as configured (k8saudit init_config and open_params). */
export interface AuditSourceSpec {
  readonly input: AuditInput;
  /** PEM file holding the server's certificate and key (https); the plugin's default otherwise. */
  readonly sslCertificate: string;
  /** Largest single event, bytes (maxEventSize). */
  readonly maxEventSize: number;
  /** Largest webhook request body, bytes (webhookMaxBatchSize). */
  readonly maxBodyBytes: number;
}

export interface SourcePlan {
  /** "syscall" first, then plugin sources in load order. */
  readonly loaded: readonly string[];
  /** In the order of `loaded`. */
  readonly enabled: readonly string[];
  readonly syscall: boolean;
  /** The k8s_audit source when it is loaded and enabled. */
  readonly audit: AuditSourceSpec | null;
  /** Log lines (info) about the plugins loaded. */
  readonly notes: readonly string[];
}

export interface SourceFlags {
  readonly enable?: readonly string[];
  readonly disable?: readonly string[];
}

export type SourcePlanResult = { ok: true; plan: SourcePlan } | { ok: false; error: SourceError };

const fail = (code: SourceErrorCode, message: string): SourcePlanResult => ({
  ok: false,
  error: { code, message },
});

/** Decide the sources (see the header). */
export function planSources(plugins: readonly PluginConfig[], flags: SourceFlags = {}): SourcePlanResult {
  const loaded: string[] = [SYSCALL_SOURCE_NAME];
  const notes: string[] = [];
  let k8saudit: PluginConfig | undefined;
  let auditInit: AuditInit | undefined;
  for (const p of plugins) {
    if (!BUILT_IN_PLUGINS.has(p.name)) {
      const known = [...BUILT_IN_PLUGINS.keys()].sort().join(", ");
      return fail(
        "SAKER_RUN_PLUGIN",
        `${SOURCE_ERRORS.SAKER_RUN_PLUGIN}: '${escapeText(p.name)}' is not built into Saker, which ` +
          `cannot load plugin libraries (built in: ${known})`,
      );
    }
    notes.push(
      `Loaded plugin '${escapeText(p.name)}' (built in; library_path ${escapeText(p.libraryPath)} ` +
        "is not loaded)",
    );
    if (p.name === "k8saudit" && k8saudit === undefined) {
      const init = parseAuditInit(p.initConfigValue);
      if (typeof init === "string") {
        return fail("SAKER_RUN_PLUGIN_CONFIG", `${SOURCE_ERRORS.SAKER_RUN_PLUGIN_CONFIG}: k8saudit: ${init}`);
      }
      k8saudit = p;
      auditInit = init;
    }
    const source = BUILT_IN_PLUGINS.get(p.name);
    if (source !== null && source !== undefined && !loaded.includes(source)) loaded.push(source);
  }

  const enable = flags.enable ?? [];
  const disable = flags.disable ?? [];
  if (enable.length > 0 && disable.length > 0) {
    return fail("SAKER_RUN_SOURCE_MIX", SOURCE_ERRORS.SAKER_RUN_SOURCE_MIX);
  }
  let enabled = [...loaded];
  if (enable.length > 0) {
    for (const s of enable) {
      if (!loaded.includes(s)) {
        return fail(
          "SAKER_RUN_SOURCE_UNKNOWN",
          `Attempted enabling an unknown event source: ${escapeText(s)}`,
        );
      }
    }
    enabled = loaded.filter((s) => enable.includes(s));
  } else if (disable.length > 0) {
    for (const s of disable) {
      if (!loaded.includes(s)) {
        return fail(
          "SAKER_RUN_SOURCE_UNKNOWN",
          `Attempted disabling an unknown event source: ${escapeText(s)}`,
        );
      }
    }
    enabled = loaded.filter((s) => !disable.includes(s));
  }
  if (enabled.length === 0) return fail("SAKER_RUN_SOURCE_NONE", SOURCE_ERRORS.SAKER_RUN_SOURCE_NONE);

  let audit: AuditSourceSpec | null = null;
  if (k8saudit !== undefined && auditInit !== undefined && enabled.includes(K8S_AUDIT_SOURCE_NAME)) {
    const input = parseAuditOpenParams(k8saudit.openParams);
    if (typeof input === "string") {
      return fail(
        "SAKER_RUN_AUDIT_OPEN_PARAMS",
        `${SOURCE_ERRORS.SAKER_RUN_AUDIT_OPEN_PARAMS} '${escapeText(k8saudit.openParams)}': ${input}`,
      );
    }
    audit = { input, ...auditInit };
  }
  return {
    ok: true,
    plan: { loaded, enabled, syscall: enabled.includes(SYSCALL_SOURCE_NAME), audit, notes },
  };
}

type AuditInit = Omit<AuditSourceSpec, "input">;

/** The plugin's defaults (its config.go Reset). */
export const K8SAUDIT_DEFAULT_SSL_CERTIFICATE = "/etc/falco/falco.pem";

/** The k8saudit init_config (a mapping, JSON text, or nothing); a string says what is wrong. */
export function parseAuditInit(value: unknown): AuditInit | string {
  let v = value;
  if (typeof v === "string") {
    if (v.trim() === "") v = undefined;
    else {
      try {
        v = JSON.parse(v) as unknown;
      } catch {
        return "init_config is not valid JSON";
      }
    }
  }
  const out = {
    sslCertificate: K8SAUDIT_DEFAULT_SSL_CERTIFICATE,
    maxEventSize: DEFAULT_MAX_EVENT_SIZE,
    maxBodyBytes: DEFAULT_MAX_PAYLOAD_BYTES,
  };
  if (v === undefined || v === null) return out;
  if (typeof v !== "object" || Array.isArray(v)) return "init_config must be a mapping (JSON object)";
  const o = v as Record<string, unknown>;
  for (const [key, val] of Object.entries(o)) {
    switch (key) {
      case "sslCertificate":
        if (typeof val !== "string") return "sslCertificate must be a string";
        if (val !== "") out.sslCertificate = val;
        break;
      case "maxEventSize":
      case "webhookMaxBatchSize":
        if (typeof val !== "number" || !Number.isSafeInteger(val) || val <= 0) {
          return `${key} must be a positive integer`;
        }
        if (key === "maxEventSize") out.maxEventSize = val;
        else out.maxBodyBytes = val;
        break;
      case "useAsync":
        // Field extraction is synchronous here; the key is accepted for compatibility only.
        if (typeof val !== "boolean") return "useAsync must be a boolean";
        break;
      default:
        return `unknown key '${escapeText(key)}' (known: sslCertificate, maxEventSize, webhookMaxBatchSize, useAsync)`;
    }
  }
  return out;
}

/** The open_params forms of the k8saudit plugin; a string says what is wrong. */
export function parseAuditOpenParams(params: string): AuditInput | string {
  const text = params.trim();
  if (text === "") return "empty: give an audit file or directory, or http://[host]:port/path";
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: "file", path: text };
  if (scheme === "file") {
    return "file:// (following a growing audit log) is not supported; give the path alone to read a file once";
  }
  if (scheme !== "http" && scheme !== "https") return `scheme "${scheme}" is not supported`;
  const m = /^[A-Za-z]+:\/\/([^/?#]*)([^?#]*)/.exec(text);
  if (m === null) return "expected http://[host]:port/path";
  const authority = m[1]!;
  const path = m[2]!;
  if (path === "" || path === "/") return "the endpoint path is missing (e.g. /k8s-audit)";
  const hostPort = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]@]*)):(\d{1,5})$/.exec(authority);
  if (hostPort === null) return "the address must be [host]:port";
  const port = Number(hostPort[3]);
  if (port > 65535) return `port ${port} is out of range`;
  const host = hostPort[1] ?? hostPort[2] ?? "";
  return { kind: "webhook", tls: scheme === "https", host: host === "" ? undefined : host, port, path };
}
