// The ka.* fields: those of the k8saudit plugin (falcosecurity/plugins, plugins/k8saudit), in its order.
// Every one is a string (CHARBUF); numbers and booleans of the event come out as their JSON text
// ("200", "true"). Fields over all containers of a pod are lists and take an optional `[N]` that selects
// one container (or one rule, port, volume: the first array on the field's path). Extraction lives in
// ../extract.ts; a test checks both sides name the same fields.
import { pluginField } from "../../fields/define.js";
import type { FieldClass, FieldInfo } from "../../fields/types.js";

// No field is flagged deprecated: plugins cannot say so, and `falco --list` shows the superseded ka.*
// fields like any other (their descriptions say what replaces them).
const text = (name: string, description: string): FieldInfo => pluginField(name, "CHARBUF", description);

const list = (name: string, description: string): FieldInfo =>
  pluginField(name, "CHARBUF", description, { list: true });

/** A list with an optional `[N]` that picks one element of the first array on the field's path. */
const indexed = (name: string, description: string): FieldInfo =>
  pluginField(name, "CHARBUF", description, { list: true, arg: "index" });

/** A field with a required `[key]`. */
const keyed = (name: string, description: string): FieldInfo =>
  pluginField(name, "CHARBUF", description, { arg: "key", argRequired: true });

/** The per-container fields, for `containers`, `initContainers` and `ephemeralContainers`. */
function containerFields(list: string, what: string, withHostPort: boolean): FieldInfo[] {
  const p = `ka.req.pod.${list}.`;
  const fields = [
    indexed(p + "name", `For a pod request: the name of each of the pod's ${what}.`),
    indexed(p + "image", `For a pod request: the image of each of the pod's ${what}.`),
    indexed(
      p + "image.repository",
      `For a pod request: the image of each of the pod's ${what}, cut at the first ':' and then at the first '@' (so without tag or digest, e.g. falcosecurity/falco).`,
    ),
    indexed(
      p + "command",
      `For a pod request: the command of each of the pod's ${what} that sets one, its words joined by spaces.`,
    ),
    indexed(
      p + "args",
      `For a pod request: the arguments of each of the pod's ${what} that sets them, joined by spaces.`,
    ),
    indexed(
      p + "privileged",
      `For a pod request: securityContext.privileged ("true"/"false") of each of the ${what} that sets it.`,
    ),
    indexed(
      p + "allow_privilege_escalation",
      `For a pod request: securityContext.allowPrivilegeEscalation of each of the ${what} that sets it.`,
    ),
    indexed(
      p + "read_only_fs",
      `For a pod request: securityContext.readOnlyRootFilesystem of each of the ${what} that sets it.`,
    ),
    indexed(
      p + "run_as_user",
      `For a pod request: securityContext.runAsUser of each of the ${what} that sets it.`,
    ),
    indexed(
      p + "eff_run_as_user",
      `For a pod request: the user id each of the ${what} starts with, falling back to the pod's value and then to 0. As in the plugin, the ids are read from a runAsUser member of the container and of the pod spec themselves, not from their securityContext.`,
    ),
    indexed(
      p + "run_as_group",
      `For a pod request: securityContext.runAsGroup of each of the ${what} that sets it.`,
    ),
    indexed(
      p + "eff_run_as_group",
      `For a pod request: the group id each of the ${what} starts with, falling back to the pod's value and then to 0 (read like eff_run_as_user).`,
    ),
    indexed(
      p + "proc_mount",
      `For a pod request: securityContext.procMount of each of the ${what} that sets it.`,
    ),
    indexed(
      p + "add_capabilities",
      `For a pod request: securityContext.capabilities.add of each of the ${what} that sets it, one JSON array per container.`,
    ),
  ];
  if (withHostPort) {
    fields.push(
      indexed(
        p + "host_port",
        `For a pod request: every hostPort in the ports of the pod's ${what} (the containerPort for a port without hostPort).`,
      ),
    );
  }
  return fields;
}

export const k8sAuditFields: readonly FieldInfo[] = [
  text("ka.auditid", "Identifier of the audit event (auditID), unique per request."),
  text(
    "ka.stage",
    "Stage of request handling the event was written at: RequestReceived, ResponseStarted, ResponseComplete or Panic.",
  ),
  text(
    "ka.auth.decision",
    "The authorizer's decision on the request (allow, forbid), from the event's annotations.",
  ),
  text("ka.auth.reason", "Why the authorizer decided as it did, from the event's annotations."),
  text(
    "ka.auth.openshift.decision",
    "OpenShift clusters only: the decision of OpenShift's authentication extension.",
  ),
  text("ka.validations.admission.policy.failure", "Why a ValidatingAdmissionPolicy rejected the request."),
  text("ka.security.pod.violations", "The Pod Security admission violations noted for the request."),
  text(
    "ka.auth.openshift.username",
    "OpenShift clusters only: the user name seen by OpenShift's authentication extension.",
  ),
  text("ka.user.name", "Name of the user who sent the request."),
  list("ka.user.groups", "Groups of the user who sent the request."),
  text("ka.impuser.name", "Name of the user the request impersonates."),
  text("ka.verb", "The request's verb: get, list, watch, create, update, patch, delete, ..."),
  text("ka.uri", "The request URI as the client sent it."),
  keyed(
    "ka.uri.param",
    "The value of one query parameter of the request URI: for /path?key=val, ka.uri.param[key] is val (the first value when repeated).",
  ),
  text("ka.target.name", "Name of the object the request is about."),
  text("ka.target.namespace", "Namespace of the object the request is about."),
  text(
    "ka.target.resource",
    "Resource type of the object the request is about (pods, secrets, clusterroles, ...).",
  ),
  text("ka.target.subresource", "Subresource the request is about (exec, attach, log, status, ...)."),
  text(
    "ka.target.pod.name",
    "For a request on pods with no subresource: the pod's name, from the response object.",
  ),
  list(
    "ka.req.binding.subjects",
    "For a (cluster) role binding request: the subjects the binding grants the role to, each as JSON.",
  ),
  list(
    "ka.req.binding.subjects.user_names",
    "For a (cluster) role binding request: the names of its User subjects.",
  ),
  list(
    "ka.req.binding.subjects.serviceaccount_names",
    "For a (cluster) role binding request: the names of its ServiceAccount subjects.",
  ),
  list(
    "ka.req.binding.subjects.serviceaccount_ns_names",
    "For a (cluster) role binding request: its ServiceAccount subjects written namespace:name.",
  ),
  list(
    "ka.req.binding.subjects.group_names",
    "For a (cluster) role binding request: the names of its Group subjects.",
  ),
  text("ka.req.binding.role", "For a (cluster) role binding request: the name of the role it binds."),
  keyed(
    "ka.req.binding.subject.has_name",
    'Kept so that old rules still load; gives "true" for every audit event whatever the argument.',
  ),
  text("ka.req.configmap.name", "For a configmap request: the configmap's name."),
  text("ka.req.configmap.obj", "For a configmap request: its data, as JSON text."),
  indexed(
    "ka.req.pod.containers.args",
    "For a pod request: the arguments of each container that sets them, joined by spaces.",
  ),
  indexed(
    "ka.req.pod.containers.command",
    "For a pod request: the command of each container that sets one, its words joined by spaces.",
  ),
  indexed("ka.req.pod.containers.name", "For a pod request: the name of each container."),
  indexed("ka.req.pod.containers.image", "For a pod request: the image of each container."),
  text(
    "ka.req.container.image",
    "Superseded by ka.req.pod.containers.image: the image of the first container only.",
  ),
  indexed(
    "ka.req.pod.containers.image.repository",
    "For a pod request: the image of each container, cut at the first ':' and then at the first '@' (so without tag or digest, e.g. falcosecurity/falco).",
  ),
  text(
    "ka.req.container.image.repository",
    "Superseded by ka.req.pod.containers.image.repository: the repository of the first container's image only.",
  ),
  text("ka.req.pod.host_ipc", "For a pod request: the pod's hostIPC setting."),
  text("ka.req.pod.host_network", "For a pod request: the pod's hostNetwork setting."),
  text("ka.req.container.host_network", "Older name of ka.req.pod.host_network."),
  text("ka.req.pod.host_pid", "For a pod request: the pod's hostPID setting."),
  indexed(
    "ka.req.pod.containers.host_port",
    "For a pod request: every hostPort in the containers' ports (the containerPort for a port without hostPort).",
  ),
  indexed(
    "ka.req.pod.containers.privileged",
    'For a pod request: securityContext.privileged ("true"/"false") of each container that sets it.',
  ),
  text(
    "ka.req.container.privileged",
    'Superseded by ka.req.pod.containers.privileged: "true" if some container is privileged, else "false".',
  ),
  indexed(
    "ka.req.pod.containers.allow_privilege_escalation",
    "For a pod request: securityContext.allowPrivilegeEscalation of each container that sets it.",
  ),
  indexed(
    "ka.req.pod.containers.read_only_fs",
    "For a pod request: securityContext.readOnlyRootFilesystem of each container that sets it.",
  ),
  text(
    "ka.req.pod.run_as_user",
    "For a pod request: runAsUser of the pod's security context (ka.req.pod.containers.run_as_user has the containers' own).",
  ),
  indexed(
    "ka.req.pod.containers.run_as_user",
    "For a pod request: securityContext.runAsUser of each container that sets it.",
  ),
  indexed(
    "ka.req.pod.containers.eff_run_as_user",
    "For a pod request: the user id each container starts with, falling back to the pod's value and then to 0. As in the plugin, the ids are read from a runAsUser member of the container and of the pod spec themselves, not from their securityContext.",
  ),
  text(
    "ka.req.pod.run_as_group",
    "For a pod request: runAsGroup of the pod's security context (ka.req.pod.containers.run_as_group has the containers' own).",
  ),
  indexed(
    "ka.req.pod.containers.run_as_group",
    "For a pod request: securityContext.runAsGroup of each container that sets it.",
  ),
  indexed(
    "ka.req.pod.containers.eff_run_as_group",
    "For a pod request: the group id each container starts with, falling back to the pod's value and then to 0 (read like eff_run_as_user).",
  ),
  indexed(
    "ka.req.pod.containers.proc_mount",
    "For a pod request: securityContext.procMount of each container that sets it.",
  ),
  list("ka.req.role.rules", "For a role or cluster role request: the role's rules, each as JSON."),
  indexed(
    "ka.req.role.rules.apiGroups",
    "For a role or cluster role request: the API groups named by the role's rules.",
  ),
  indexed(
    "ka.req.role.rules.nonResourceURLs",
    "For a role or cluster role request: the non-resource URLs named by the role's rules.",
  ),
  indexed("ka.req.role.rules.verbs", "For a role or cluster role request: the verbs the role's rules allow."),
  indexed(
    "ka.req.role.rules.resources",
    "For a role or cluster role request: the resources named by the role's rules.",
  ),
  text("ka.req.pod.fs_group", "For a pod request: fsGroup of the pod's security context."),
  list(
    "ka.req.pod.supplemental_groups",
    "For a pod request: supplementalGroups of the pod's security context.",
  ),
  indexed(
    "ka.req.pod.containers.add_capabilities",
    "For a pod request: securityContext.capabilities.add of each container that sets it, one JSON array per container.",
  ),
  text(
    "ka.req.service.type",
    "For a service request: the service type (ClusterIP, NodePort, LoadBalancer, ...).",
  ),
  indexed("ka.req.service.ports", "For a service request: the service's ports, as one JSON array."),
  indexed("ka.req.pod.volumes.hostpath", "For a pod request: the path of each hostPath volume."),
  keyed(
    "ka.req.volume.hostpath",
    'Superseded by ka.req.pod.volumes.hostpath: "true" if some hostPath volume has exactly the given path (or, for an argument ending in *, a path starting with what precedes the *), else "false".',
  ),
  indexed("ka.req.pod.volumes.flexvolume_driver", "For a pod request: the driver of each flexVolume volume."),
  indexed(
    "ka.req.pod.volumes.volume_type",
    "For a pod request: the type of each volume (its members other than name: hostPath, secret, ...).",
  ),
  text("ka.resp.name", "Name of the object in the response."),
  text("ka.response.code", "HTTP status code of the response (e.g. 200, 403)."),
  text("ka.response.reason", "Reason given with the response status, mostly present on failures."),
  text("ka.useragent", "User agent of the client that sent the request."),
  indexed(
    "ka.sourceips",
    "Client IP addresses of the request. As in the plugin, they are read from the sourceIPs of the request object's rules, so ordinary events have none.",
  ),
  text("ka.cluster.name", "Name of the cluster, from the cluster_name annotation."),
  ...containerFields("initContainers", "init containers", true),
  ...containerFields("ephemeralContainers", "ephemeral containers", false),
];

export const k8sAuditFieldClass: FieldClass = {
  name: "k8saudit",
  shortDescription: "Kubernetes Audit Events",
  description:
    "Fields of Kubernetes audit events (audit.k8s.io Event objects), as the k8saudit plugin provides them.",
  fields: k8sAuditFields,
};
