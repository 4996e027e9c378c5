// Containers: the id of a thread's container, read from its cgroups as libsinsp's container engines
// do (docker, podman, CRI runtimes, LXC), and the metadata captures carry in container events
// (PPME_CONTAINER_E, PPME_CONTAINER_JSON_E/_2_E). A capture cannot ask a runtime, so a container seen
// only through cgroups has an id and a type, and nothing else.

/** sinsp_container_type. */
export const enum ContainerType {
  DOCKER = 0,
  LXC = 1,
  LIBVIRT_LXC = 2,
  MESOS = 3,
  RKT = 4,
  CUSTOM = 5,
  CRI = 6,
  CONTAINERD = 7,
  CRIO = 8,
  BPM = 9,
  STATIC = 10,
  PODMAN = 11,
}

/** sinsp_container_lookup_state. */
export const enum LookupState {
  STARTED = 0,
  SUCCESSFUL = 1,
  FAILED = 2,
}

export interface ContainerMount {
  readonly source: string;
  readonly dest: string;
  readonly mode: string;
  readonly rdwr: boolean;
  readonly propagation: string;
}

export class ContainerInfo {
  id = "";
  fullId = "";
  type: number = ContainerType.DOCKER;
  name = "";
  image = "";
  imageId = "";
  imageRepo = "";
  imageTag = "";
  imageDigest = "";
  privileged = false;
  isPodSandbox = false;
  lookupState: number = LookupState.SUCCESSFUL;
  /** IPv4 address as a number (0 when unknown). */
  ip = 0;
  createdTime = 0;
  mounts: readonly ContainerMount[] = [];
  labels: ReadonlyMap<string, string> = new Map();
  env: readonly string[] = [];
}

/** container.type of a container type. */
export function containerTypeName(type: number): string | undefined {
  switch (type) {
    case ContainerType.DOCKER:
      return "docker";
    case ContainerType.LXC:
      return "lxc";
    case ContainerType.LIBVIRT_LXC:
      return "libvirt-lxc";
    case ContainerType.MESOS:
      return "mesos";
    case ContainerType.CRI:
      return "cri";
    case ContainerType.CONTAINERD:
      return "containerd";
    case ContainerType.CRIO:
      return "cri-o";
    case ContainerType.RKT:
      return "rkt";
    case ContainerType.BPM:
      return "bpm";
    case ContainerType.PODMAN:
      return "podman";
    default:
      return undefined;
  }
}

/** Docker, podman and CRI runtimes: types for which a privileged flag is meaningful. */
export function isDockerCompatible(type: number): boolean {
  return (
    type === ContainerType.DOCKER ||
    type === ContainerType.CRI ||
    type === ContainerType.CONTAINERD ||
    type === ContainerType.CRIO ||
    type === ContainerType.PODMAN
  );
}

const ID_LENGTH = 64;
const REPORTED_ID_LENGTH = 12;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * libsinsp's runc match: the cgroup ends with <prefix><64 hex digits><suffix>, found by the last
 * occurrence of prefix and suffix. Returns the 12-character id or undefined.
 */
function matchRunc(cgroup: string, prefix: string, suffix: string): string | undefined {
  if (cgroup.length < ID_LENGTH) return undefined;
  let start = cgroup.lastIndexOf(prefix);
  if (start < 0) return undefined;
  start += prefix.length;
  const end = suffix === "" ? cgroup.length : cgroup.lastIndexOf(suffix);
  if (end < 0 || end - start !== ID_LENGTH) return undefined;
  // libsinsp compares the absolute position of the first non-hex character with the id length.
  for (let i = start; i < ID_LENGTH; i++) if (!isHex(cgroup.charCodeAt(i))) return undefined;
  return cgroup.slice(start, start + REPORTED_ID_LENGTH);
}

type Layout = readonly (readonly [string, string])[];
const PODMAN_LAYOUT: Layout = [["/libpod-", ".scope"]];
const DOCKER_LAYOUT: Layout = [
  ["/", ""],
  ["/docker-", ".scope"],
];
const CRI_LAYOUT: Layout = [
  ["/", ""],
  ["/crio-", ""],
  ["/cri-containerd-", ".scope"],
  ["/crio-", ".scope"],
  [":cri-containerd:", ""],
];

function matchLayout(cgroups: readonly (readonly [string, string])[], layout: Layout): string | undefined {
  for (const [, path] of cgroups) {
    for (const [prefix, suffix] of layout) {
      const id = matchRunc(path, prefix, suffix);
      if (id !== undefined) return id;
    }
  }
  return undefined;
}

function matchLxc(cgroups: readonly (readonly [string, string])[]): string | undefined {
  for (const [, path] of cgroups) {
    for (const marker of ["/lxc/", "/lxc.payload/"]) {
      const pos = path.indexOf(marker);
      if (pos >= 0) {
        const start = pos + marker.length;
        const end = path.indexOf("/", start);
        return path.slice(start, end < 0 ? path.length : end);
      }
    }
  }
  return undefined;
}

/** The container a set of cgroups places a thread in: [id, type], or undefined for the host. */
export function containerFromCgroups(
  cgroups: readonly (readonly [string, string])[],
): readonly [string, ContainerType] | undefined {
  if (cgroups.length === 0) return undefined;
  let id = matchLayout(cgroups, PODMAN_LAYOUT);
  if (id !== undefined) return [id, ContainerType.PODMAN];
  id = matchLayout(cgroups, DOCKER_LAYOUT);
  if (id !== undefined) return [id, ContainerType.DOCKER];
  id = matchLayout(cgroups, CRI_LAYOUT);
  if (id !== undefined) return [id, ContainerType.CRI];
  id = matchLxc(cgroups);
  if (id !== undefined) return [id, ContainerType.LXC];
  return undefined;
}

/** Known containers, bounded: past `max` entries the oldest one is forgotten. */
export class ContainerStore {
  readonly map = new Map<string, ContainerInfo>();

  constructor(private readonly max: number) {}

  get(id: string): ContainerInfo | undefined {
    return this.map.get(id);
  }

  put(info: ContainerInfo): void {
    if (!this.map.has(info.id) && this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
    this.map.set(info.id, info);
  }

  /** A container known only by id and type (what a capture-time cgroup match gives). */
  ensure(id: string, type: number): void {
    if (this.map.has(id)) return;
    const c = new ContainerInfo();
    c.id = id;
    c.type = type;
    if (type === ContainerType.LXC) c.name = id;
    this.put(c);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * A container from the JSON of a container event ({"container": {...}}), as libsinsp's
 * parse_container_json_evt reads it. Undefined when the text is not such JSON.
 */
export function containerFromJson(text: string): ContainerInfo | undefined {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (root === null || typeof root !== "object") return undefined;
  const c = (root as Record<string, unknown>).container;
  if (c === null || typeof c !== "object") return undefined;
  const o = c as Record<string, unknown>;
  const info = new ContainerInfo();
  info.id = str(o.id) ?? "";
  info.fullId = str(o.full_id) ?? "";
  if (typeof o.type === "number") info.type = o.type;
  info.name = str(o.name) ?? "";
  info.image = str(o.image) ?? "";
  info.imageId = str(o.imageid) ?? "";
  info.imageRepo = str(o.imagerepo) ?? "";
  info.imageTag = str(o.imagetag) ?? "";
  info.imageDigest = str(o.imagedigest) ?? "";
  info.privileged = o.privileged === true;
  info.isPodSandbox = o.is_pod_sandbox === true;
  if (typeof o.lookup_state === "number") {
    const s = o.lookup_state;
    // A capture has no lookup in flight: a lookup recorded as started is taken as failed.
    info.lookupState =
      s === LookupState.STARTED ? LookupState.FAILED : s === LookupState.FAILED ? s : LookupState.SUCCESSFUL;
  }
  if (typeof o.created_time === "number") info.createdTime = o.created_time;
  if (typeof o.ip === "string") {
    const parts = o.ip.split(".").map(Number);
    if (parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)) {
      info.ip = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
    }
  }
  if (Array.isArray(o.Mounts)) {
    const mounts: ContainerMount[] = [];
    for (const m of o.Mounts as unknown[]) {
      if (m === null || typeof m !== "object") continue;
      const mo = m as Record<string, unknown>;
      mounts.push({
        source: str(mo.Source) ?? "",
        dest: str(mo.Destination) ?? "",
        mode: str(mo.Mode) ?? "",
        rdwr: mo.RW === true,
        propagation: str(mo.Propagation) ?? "",
      });
    }
    info.mounts = mounts;
  }
  if (o.labels !== null && typeof o.labels === "object" && !Array.isArray(o.labels)) {
    const labels = new Map<string, string>();
    for (const [k, v] of Object.entries(o.labels as Record<string, unknown>)) {
      labels.set(k, typeof v === "string" ? v : JSON.stringify(v));
    }
    info.labels = labels;
  }
  if (Array.isArray(o.env)) info.env = (o.env as unknown[]).filter((e): e is string => typeof e === "string");
  return info;
}
