// k8s.*: Kubernetes metadata of the pod a container belongs to. In current Falco the container plugin
// provides these for the syscall source, from the container runtime (the k8smeta plugin has its own
// k8smeta.* fields, not covered here). Facts follow falcosecurity/plugins
// plugins/container/src/caps/extract/extract.cpp; arguments follow the plugin grammar.
import { pluginField as f, type FieldFlags } from "../define.js";
import type { FieldClass, FieldInfo } from "../types.js";

// k8s.pod.label[app]; the plugin's description also promises k8s.pod.label.app, as older libsinsp had.
const LABEL: FieldFlags = { arg: "key", argRequired: true, dottedArg: true };

// The objects older libsinsp read from the API server; the container plugin keeps their names so that
// rules still load, but fills none of them.
function deprecatedObject(prefix: string, what: string): FieldInfo[] {
  const note = "; deprecated and no longer filled (use the k8smeta plugin).";
  return [
    f(`k8s.${prefix}.name`, "CHARBUF", `Name of the ${what}${note}`, { deprecated: true }),
    f(`k8s.${prefix}.id`, "CHARBUF", `Id of the ${what}${note}`, { deprecated: true }),
    f(`k8s.${prefix}.label`, "CHARBUF", `One label of the ${what}${note}`, { ...LABEL, deprecated: true }),
    f(`k8s.${prefix}.labels`, "CHARBUF", `All labels of the ${what}${note}`, { deprecated: true }),
  ];
}

export const k8sClass: FieldClass = {
  name: "k8s",
  description:
    "The Kubernetes pod of a container, as the container runtime reports it together with the container.* fields; may be missing while the runtime is being asked.",
  fields: [
    f("k8s.pod.name", "CHARBUF", "Name of the pod."),
    f("k8s.ns.name", "CHARBUF", "Namespace of the pod."),
    f("k8s.pod.id", "CHARBUF", "Legacy name of k8s.pod.uid."),
    f("k8s.pod.uid", "CHARBUF", "UID Kubernetes gave the pod when creating it (not the sandbox id)."),
    f(
      "k8s.pod.sandbox_id",
      "CHARBUF",
      "Short id (12 characters) of the pod sandbox, the container id of the pod itself, read from the cgroups.",
    ),
    f("k8s.pod.full_sandbox_id", "CHARBUF", "Full id of the pod sandbox."),
    f(
      "k8s.pod.label",
      "CHARBUF",
      "Value of one pod label: k8s.pod.label[app.kubernetes.io/name], or k8s.pod.label.app for simple names.",
      LABEL,
    ),
    f("k8s.pod.labels", "CHARBUF", "All pod labels as comma-separated key:value pairs."),
    f("k8s.pod.ip", "CHARBUF", "IPv4 address of the pod (the same as container.ip)."),
    f("k8s.pod.cni.json", "CHARBUF", "CNI result of the pod as JSON text (the same as container.cni.json)."),
    ...deprecatedObject("rc", "replication controller"),
    ...deprecatedObject("svc", "service"),
    f(
      "k8s.ns.id",
      "CHARBUF",
      "Id of the namespace; deprecated and no longer filled (use the k8smeta plugin).",
      {
        deprecated: true,
      },
    ),
    f(
      "k8s.ns.label",
      "CHARBUF",
      "One label of the namespace; deprecated and no longer filled (use the k8smeta plugin).",
      { ...LABEL, deprecated: true },
    ),
    f(
      "k8s.ns.labels",
      "CHARBUF",
      "All labels of the namespace; deprecated and no longer filled (use the k8smeta plugin).",
      { deprecated: true },
    ),
    ...deprecatedObject("rs", "replica set"),
    ...deprecatedObject("deployment", "deployment"),
  ],
};
