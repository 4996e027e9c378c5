// container.* and k8s.*: the container of the event's thread. The id comes from the thread's cgroups
// (always known: "host" outside containers); everything else from container metadata the capture
// carries. Facts follow libsinsp's sinsp_filter_check_container (0.29) and, for names it did not
// have, the container plugin. k8s.* read the pod facts CRI runtimes put in container labels.
import type { Extractor, FieldValue } from "../../../engine/source.js";
import { globMatch } from "../../../engine/text.js";
import { ipv4Text } from "../../../state/net.js";
import {
  type ContainerInfo,
  type ContainerMount,
  containerTypeName,
  isDockerCompatible,
} from "../../../state/containers.js";
import type { SyscallEvent } from "../../../state/event.js";
import type { ThreadInfo } from "../../../state/threadinfo.js";
import type { ResolvedField } from "../../types.js";

type X = Extractor<SyscallEvent>;

function onContainer(get: (c: ContainerInfo, t: ThreadInfo, e: SyscallEvent) => FieldValue): X {
  return (e) => {
    const t = e.thread();
    if (t === undefined || t.containerId === "") return undefined;
    const c = e.state.containers.get(t.containerId);
    return c === undefined ? undefined : get(c, t, e);
  };
}

function nonEmpty(s: string): string | undefined {
  return s === "" ? undefined : s;
}

function mountText(m: ContainerMount): string {
  return `${m.source}:${m.dest}:${m.mode}:${m.rdwr ? "true" : "false"}:${m.propagation}`;
}

/** A mount by index, or by glob on its source (or, for container.mount.source, its destination). */
function findMount(c: ContainerInfo, arg: string | undefined, byDest: boolean): ContainerMount | undefined {
  if (arg === undefined) return undefined;
  if (/^[0-9]+$/.test(arg)) return c.mounts[Number(arg)];
  for (const m of c.mounts) if (globMatch(arg, byDest ? m.dest : m.source, false)) return m;
  return undefined;
}

function labels(map: ReadonlyMap<string, string>): string | undefined {
  if (map.size === 0) return undefined;
  let out = "";
  for (const [k, v] of map) out += (out === "" ? "" : ", ") + k + ":" + v;
  return out;
}

const POD_NAME = "io.kubernetes.pod.name";
const POD_NAMESPACE = "io.kubernetes.pod.namespace";
const POD_UID = "io.kubernetes.pod.uid";
const SANDBOX_ID = "io.kubernetes.sandbox.id";

/** The extractor of a container.* or k8s.* field; undefined when the name is not one of these. */
export function containerExtractor(field: ResolvedField): X | undefined {
  const arg = field.arg;
  switch (field.info.name) {
    case "container.id":
      return (e) => {
        const t = e.thread();
        if (t === undefined) return undefined;
        return t.containerId === "" ? "host" : t.containerId;
      };
    case "container.name":
      return (e) => {
        const t = e.thread();
        if (t === undefined) return undefined;
        if (t.containerId === "") return "host";
        const c = e.state.containers.get(t.containerId);
        return c === undefined ? undefined : nonEmpty(c.name);
      };
    case "container.type":
      return (e) => {
        const t = e.thread();
        if (t === undefined) return undefined;
        if (t.containerId === "") return "host";
        const c = e.state.containers.get(t.containerId);
        return c === undefined ? undefined : containerTypeName(c.type);
      };
    case "container.full_id":
      return onContainer((c) => nonEmpty(c.fullId));
    case "container.image":
      return onContainer((c) => nonEmpty(c.image));
    case "container.image.id":
      return onContainer((c) => nonEmpty(c.imageId));
    case "container.image.repository":
      return onContainer((c) => nonEmpty(c.imageRepo));
    case "container.image.tag":
      return onContainer((c) => nonEmpty(c.imageTag));
    case "container.image.digest":
      return onContainer((c) => nonEmpty(c.imageDigest));
    case "container.privileged":
      return onContainer((c) => (isDockerCompatible(c.type) ? c.privileged : undefined));
    case "container.mounts":
      return onContainer((c) => c.mounts.map(mountText).join(","));
    case "container.mount":
      return onContainer((c) => {
        const m = findMount(c, arg, false);
        return m === undefined ? undefined : mountText(m);
      });
    case "container.mount.source":
      return onContainer((c) => findMount(c, arg, true)?.source);
    case "container.mount.dest":
      return onContainer((c) => findMount(c, arg, false)?.dest);
    case "container.mount.mode":
      return onContainer((c) => findMount(c, arg, false)?.mode);
    case "container.mount.rdwr":
      return onContainer((c) => {
        const m = findMount(c, arg, false);
        return m === undefined ? undefined : m.rdwr ? "true" : "false";
      });
    case "container.mount.propagation":
      return onContainer((c) => findMount(c, arg, false)?.propagation);
    case "container.ip":
    case "k8s.pod.ip":
      return onContainer((c) => (c.ip === 0 ? undefined : ipv4Text(c.ip)));
    case "container.label":
      return onContainer((c) => (arg === undefined ? undefined : c.labels.get(arg)));
    case "container.labels":
      return onContainer((c) => labels(c.labels));
    case "container.start_ts":
      return (e) => {
        const t = e.thread();
        if (t === undefined || t.containerId === "" || t.pidnsInitStartTs === 0n) return undefined;
        return t.pidnsInitStartTs;
      };
    case "container.duration":
      return (e) => {
        const t = e.thread();
        if (t === undefined || t.containerId === "" || t.pidnsInitStartTs === 0n) return undefined;
        return e.ev.ts - t.pidnsInitStartTs;
      };
    case "k8s.pod.name":
      return onContainer((c) => c.labels.get(POD_NAME));
    case "k8s.ns.name":
      return onContainer((c) => c.labels.get(POD_NAMESPACE));
    case "k8s.pod.id":
    case "k8s.pod.uid":
      return onContainer((c) => c.labels.get(POD_UID));
    case "k8s.pod.full_sandbox_id":
      return onContainer((c) => (c.isPodSandbox ? nonEmpty(c.fullId) : c.labels.get(SANDBOX_ID)));
    case "k8s.pod.sandbox_id":
      return onContainer((c) => {
        const id = c.isPodSandbox ? c.id : c.labels.get(SANDBOX_ID);
        return id === undefined ? undefined : id.slice(0, 12);
      });
    default:
      // Health probes, host namespaces, CNI results and the k8s objects older libsinsp read from
      // the API server: a capture carries none of them.
      return field.info.name.startsWith("container.") || field.info.name.startsWith("k8s.")
        ? () => undefined
        : undefined;
  }
}
