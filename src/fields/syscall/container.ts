// container.*: in current Falco these come from the container plugin, which extracts them for the
// syscall source (older libsinsp had them built in). Facts follow falcosecurity/plugins
// plugins/container/src/caps/extract/extract.cpp. Being plugin fields, their arguments follow the
// plugin grammar: brackets only (container.mount[0], container.label[app]).
import { pluginField as f, type FieldFlags } from "../define.js";
import type { FieldClass } from "../types.js";

// container.mount.dest[0] or container.mount.dest[/var/lib/*]: by position, or by path or glob.
const MOUNT: FieldFlags = { arg: "index_or_key", argRequired: true };
// The plugin's description also promises container.label.foo; accept it as older libsinsp did.
const LABEL: FieldFlags = { arg: "key", argRequired: true, dottedArg: true };
const DEPRECATED: FieldFlags = { deprecated: true };

export const containerClass: FieldClass = {
  name: "container",
  description:
    "The container a process runs in. Apart from container.id, taken from the kernel, values come from the container runtime and may be missing while it is being asked.",
  fields: [
    f(
      "container.id",
      "CHARBUF",
      "Short container id (12 characters), read from the cgroups, so always known; 'host' for processes outside containers.",
    ),
    f("container.full_id", "CHARBUF", "Full container id, as the container runtime reports it."),
    f("container.name", "CHARBUF", "Container name; 'host' for processes outside containers."),
    f("container.image", "CHARBUF", "Image name of the container (e.g. falcosecurity/falco:latest)."),
    f("container.image.id", "CHARBUF", "Image id of the container (e.g. 6f7e2741b66b)."),
    f("container.type", "CHARBUF", "Kind of container runtime: docker, cri-o, containerd, podman, ..."),
    f("container.privileged", "BOOL", "True for a container running privileged."),
    f(
      "container.mounts",
      "CHARBUF",
      "All mounts of the container, space-separated, each written source:dest:mode:rdrw:propagation.",
    ),
    f(
      "container.mount",
      "CHARBUF",
      "One mount, picked by position (container.mount[0]) or by source path or glob (container.mount[/usr/local/*]), written source:dest:mode:rdrw:propagation; 'none' if no mount matches.",
      MOUNT,
    ),
    f(
      "container.mount.source",
      "CHARBUF",
      "Source of a mount picked by position or by destination path or glob.",
      MOUNT,
    ),
    f(
      "container.mount.dest",
      "CHARBUF",
      "Destination of a mount picked by position or by source path or glob.",
      MOUNT,
    ),
    f(
      "container.mount.mode",
      "CHARBUF",
      "Mode of a mount picked by position or by source path or glob.",
      MOUNT,
    ),
    f(
      "container.mount.rdwr",
      "CHARBUF",
      "Read/write flag of a mount picked by position or by source path or glob.",
      MOUNT,
    ),
    f(
      "container.mount.propagation",
      "CHARBUF",
      "Propagation mode of a mount picked by position or by source path or glob.",
      MOUNT,
    ),
    f(
      "container.image.repository",
      "CHARBUF",
      "Repository of the container image (e.g. falcosecurity/falco).",
    ),
    f("container.image.tag", "CHARBUF", "Tag of the container image (e.g. latest)."),
    f("container.image.digest", "CHARBUF", "Registry digest of the container image (sha256:...)."),
    f("container.healthcheck", "CHARBUF", "Deprecated; no longer filled.", DEPRECATED),
    f("container.liveness_probe", "CHARBUF", "Deprecated; use the k8smeta plugin.", DEPRECATED),
    f("container.readiness_probe", "CHARBUF", "Deprecated; use the k8smeta plugin.", DEPRECATED),
    f(
      "container.start_ts",
      "ABSTIME",
      "Start time of the container in nanoseconds since the epoch, taken from the start of its pid namespace rather than from the runtime.",
    ),
    f("container.duration", "RELTIME", "Nanoseconds since container.start_ts."),
    f("container.ip", "CHARBUF", "Main IPv4 address of the container or its pod, from the runtime."),
    f(
      "container.cni.json",
      "CHARBUF",
      "CNI result of the pod (addresses of each network interface, IPv4 and IPv6) as JSON text; CRI runtimes only.",
    ),
    f("container.host_pid", "BOOL", "True if the container shares the host's pid namespace."),
    f("container.host_network", "BOOL", "True if the container shares the host's network namespace."),
    f("container.host_ipc", "BOOL", "True if the container shares the host's IPC namespace."),
    f("container.label", "CHARBUF", "Value of one container label: container.label[name].", LABEL),
    f("container.labels", "CHARBUF", "All container labels as comma-separated key:value pairs."),
    f("proc.is_container_healthcheck", "BOOL", "Deprecated; no longer filled.", DEPRECATED),
    f("proc.is_container_liveness_probe", "BOOL", "Deprecated; use the k8smeta plugin.", DEPRECATED),
    f("proc.is_container_readiness_probe", "BOOL", "Deprecated; use the k8smeta plugin.", DEPRECATED),
  ],
};
