// Extractors of the k8s_audit source, planned once per field reference. Each follows the plugin that
// defines the field (k8saudit for ka.*, json for json.*/jevt.*), including when it yields nothing:
//
// - Every ka.* field is <NA> on an event without an "auditID" member.
// - A path that does not exist is <NA>; a value that exists but is not a string is its JSON text
//   (`"hostNetwork": true` gives "true", `"data": {...}` gives `{"k":"v"}`, `null` gives "null").
// - A list field with no elements is <NA> (libsinsp treats a plugin's empty list as no value).
// - A type mismatch the plugin reports as an error (a list member that is not an array, a command that
//   is not an array of strings) is <NA> too, as libsinsp turns extraction errors into "no value".
// - Strings are cut at their first NUL byte, as they cross the plugin API as C strings.
//
// The walk over container lists, rules and volumes is the plugin's: starting at the event, each key is
// looked up in turn; whenever the current value is an array, either every element continues the walk
// (no index argument: elements where the rest of the path is missing count as "missing") or only
// element N does (index argument [N]; out of range is <NA>).
import { hostname as osHostname } from "node:os";
import type { Extractor, FieldValue } from "../engine/source.js";
import type { AuditEvent, ContainerList } from "./event.js";
import { getKey, getPath, marshalIndented, parseJsonPointer, valueAsString, type JsonValue } from "./json.js";
import { K8S_AUDIT_SOURCE_NAME } from "./schema.js";
import { formatIso8601, formatLocal, localZoneOffsetSeconds, timestampNanos } from "./time.js";

/** The plugin whose events these are, for evt.pluginname. */
export const K8SAUDIT_PLUGIN_NAME = "k8saudit";

export type AuditExtractor = Extractor<AuditEvent>;
type Slot = JsonValue | undefined;
/** Builds the extractor of one field from its argument (undefined: none given). */
type Planner = (arg: string | undefined) => AuditExtractor;

const NO_FILTER = -1;
const NA: AuditExtractor = () => undefined;

/** The string as the C side sees it: up to the first NUL. */
function cstr(s: string): string {
  const nul = s.indexOf("\0");
  return nul < 0 ? s : s.slice(0, nul);
}

/** A JSON value as the field's text. */
function text(v: JsonValue): string {
  return cstr(valueAsString(v));
}

/**
 * The plugin's recursive walk (see the header). Appends the values found to `out`, with `undefined`
 * for array elements where the rest of the path is missing. False when the path is missing before any
 * array was reached, or the index is out of range.
 */
function walk(v: JsonValue, filter: number, keys: readonly string[], from: number, out: Slot[]): boolean {
  let cur: JsonValue = v;
  for (let i = from; i < keys.length; i++) {
    if (Array.isArray(cur)) {
      if (filter === NO_FILTER) {
        for (const el of cur) if (!walk(el, filter, keys, i, out)) out.push(undefined);
        return true;
      }
      if (filter >= cur.length) return false;
      cur = cur[filter];
    }
    const key = keys[i];
    if (key !== "") {
      const next = getKey(cur, key);
      if (next === undefined) return false;
      cur = next;
    }
  }
  out.push(cur);
  return true;
}

/** Every slot must hold a value (the plugin's arrayAsStrings); an empty result is <NA>. */
function allTexts(slots: Slot[]): string[] | undefined {
  if (slots.length === 0) return undefined;
  const res: string[] = new Array<string>(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const v = slots[i];
    if (v === undefined) return undefined;
    res[i] = text(v);
  }
  return res;
}

/** Missing slots skipped (the plugin's arrayAsStringsSkipNil); an empty result is <NA>. */
function presentTexts(slots: Slot[]): string[] | undefined {
  let res: string[] | undefined;
  for (const v of slots) {
    if (v === undefined) continue;
    (res ??= []).push(text(v));
  }
  return res;
}

/** `[N]` of an index field, parsed at plan time: N, NO_FILTER without argument, undefined if malformed. */
function indexArg(arg: string | undefined): number | undefined {
  if (arg === undefined) return NO_FILTER;
  if (!/^(0|[1-9][0-9]*)$/.test(arg)) return undefined;
  const n = Number(arg);
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER; // beyond any array
}

// --- planners -----------------------------------------------------------------------------------------

/** A single value at a fixed path (the plugin's extractFromKeys for a non-list field). */
function single(...keys: string[]): Planner {
  return () => (ev) => {
    if (!ev.hasAuditId) return undefined;
    const v = getPath(ev.json, keys);
    return v === undefined ? undefined : text(v);
  };
}

/** An array at a fixed path, one text per element (extractFromKeys for a list field). */
function array(...keys: string[]): Planner {
  return () => (ev) => {
    if (!ev.hasAuditId) return undefined;
    const v = getPath(ev.json, keys);
    if (!Array.isArray(v) || v.length === 0) return undefined;
    const res = new Array<string>(v.length);
    for (let i = 0; i < v.length; i++) res[i] = text(v[i]);
    return res;
  };
}

/** The walked values, missing ones skipped, with an optional index argument. */
function walked(...keys: string[]): Planner {
  return (arg) => {
    const filter = indexArg(arg);
    if (filter === undefined) return NA;
    const scratch: Slot[] = [];
    return (ev) => {
      if (!ev.hasAuditId) return undefined;
      scratch.length = 0;
      const res = walk(ev.json, filter, keys, 0, scratch) ? presentTexts(scratch) : undefined;
      scratch.length = 0;
      return res;
    };
  };
}

/** requestObject.rules[*].<member>: the walked values, each an array, flattened (extractRulesField). */
function ruleMember(member: string): Planner {
  const keys = ["requestObject", "rules", member];
  return (arg) => {
    const filter = indexArg(arg);
    if (filter === undefined) return NA;
    const scratch: Slot[] = [];
    return (ev) => {
      if (!ev.hasAuditId) return undefined;
      scratch.length = 0;
      let res: string[] | undefined;
      if (walk(ev.json, filter, keys, 0, scratch)) {
        for (const v of scratch) {
          if (!Array.isArray(v)) continue;
          for (const el of v) (res ??= []).push(text(el));
        }
      }
      scratch.length = 0;
      return res;
    };
  };
}

/** Names of the binding subjects of one kind; "NamespacedServiceAccount" gives namespace:name. */
function subjectNames(kind: string): Planner {
  const namespaced = kind === "NamespacedServiceAccount";
  const wanted = namespaced ? "ServiceAccount" : kind;
  const keys = ["requestObject", "subjects"];
  return () => (ev) => {
    if (!ev.hasAuditId) return undefined;
    const subjects = getPath(ev.json, keys);
    if (!Array.isArray(subjects)) return undefined; // missing: empty list; not an array: type error
    let res: string[] | undefined;
    for (const s of subjects) {
      const k = getKey(s, "kind");
      const n = getKey(s, "name");
      if (k === undefined || n === undefined || valueAsString(k) !== wanted) continue;
      let name = valueAsString(n);
      if (namespaced) {
        const ns = getKey(s, "namespace");
        if (ns === undefined) continue;
        name = valueAsString(ns) + ":" + name;
      }
      (res ??= []).push(cstr(name));
    }
    return res;
  };
}

// Container lists ----------------------------------------------------------------------------------------

function containerKeys(list: ContainerList, ...sub: string[]): string[] {
  return ["requestObject", "spec", list, ...sub];
}

const IMAGE_KEYS: Readonly<Record<ContainerList, readonly string[]>> = {
  containers: containerKeys("containers", "image"),
  initContainers: containerKeys("initContainers", "image"),
  ephemeralContainers: containerKeys("ephemeralContainers", "image"),
};

/** Images of a container list: every container must have one. */
function images(json: JsonValue, list: ContainerList, filter: number, scratch: Slot[]): string[] | undefined {
  scratch.length = 0;
  const res = walk(json, filter, IMAGE_KEYS[list], 0, scratch) ? allTexts(scratch) : undefined;
  scratch.length = 0;
  return res;
}

/** The repository part of an image, the plugin's way: before the first ':', then before the first '@'. */
function repository(image: string): string {
  const colon = image.indexOf(":");
  const head = colon < 0 ? image : image.slice(0, colon);
  const at = head.indexOf("@");
  return at < 0 ? head : head.slice(0, at);
}

const imageScratch: Slot[] = [];
const allImages: Record<ContainerList, (ev: AuditEvent) => readonly string[] | undefined> = {
  containers: (ev) => images(ev.json, "containers", NO_FILTER, imageScratch),
  initContainers: (ev) => images(ev.json, "initContainers", NO_FILTER, imageScratch),
  ephemeralContainers: (ev) => images(ev.json, "ephemeralContainers", NO_FILTER, imageScratch),
};

function containerImages(list: ContainerList, repo: boolean): Planner {
  return (arg) => {
    const filter = indexArg(arg);
    if (filter === undefined) return NA;
    const compute = allImages[list];
    const scratch: Slot[] = [];
    if (filter === NO_FILTER) {
      // shared per event by .image and .image.repository
      return repo
        ? (ev) => (ev.hasAuditId ? ev.images(list, compute)?.map(repository) : undefined)
        : (ev) => (ev.hasAuditId ? ev.images(list, compute) : undefined);
    }
    return (ev) => {
      if (!ev.hasAuditId) return undefined;
      const res = images(ev.json, list, filter, scratch);
      return repo && res !== undefined ? res.map(repository) : res;
    };
  };
}

/** Container names: every container must have one. */
function containerNames(list: ContainerList): Planner {
  const keys = containerKeys(list, "name");
  return (arg) => {
    const filter = indexArg(arg);
    if (filter === undefined) return NA;
    const scratch: Slot[] = [];
    return (ev) => {
      if (!ev.hasAuditId) return undefined;
      scratch.length = 0;
      const res = walk(ev.json, filter, keys, 0, scratch) ? allTexts(scratch) : undefined;
      scratch.length = 0;
      return res;
    };
  };
}

/** command / args: per container that has it, an array of strings joined by spaces. */
function containerWords(list: ContainerList, member: string): Planner {
  const keys = containerKeys(list, member);
  return (arg) => {
    const filter = indexArg(arg);
    if (filter === undefined) return NA;
    const scratch: Slot[] = [];
    return (ev) => {
      if (!ev.hasAuditId) return undefined;
      scratch.length = 0;
      let res: string[] | undefined;
      if (walk(ev.json, filter, keys, 0, scratch)) {
        for (const v of scratch) {
          if (v === undefined) continue;
          if (!Array.isArray(v) || !v.every((w) => typeof w === "string")) {
            res = undefined; // the plugin's wrong-type error
            break;
          }
          (res ??= []).push(cstr(v.join(" ")));
        }
      }
      scratch.length = 0;
      return res;
    };
  };
}

/** host_port: per port of every container, hostPort, else containerPort. */
function containerHostPorts(list: ContainerList): Planner {
  const keys = containerKeys(list, "ports");
  return (arg) => {
    const filter = indexArg(arg);
    if (filter === undefined) return NA;
    const scratch: Slot[] = [];
    return (ev) => {
      if (!ev.hasAuditId) return undefined;
      scratch.length = 0;
      let res: string[] | undefined;
      if (walk(ev.json, filter, keys, 0, scratch)) {
        for (const ports of scratch) {
          if (ports === undefined) continue;
          if (!Array.isArray(ports)) {
            res = undefined;
            break;
          }
          for (const port of ports) {
            // (a JSON null is a value here, so no `??`)
            let p = getKey(port, "hostPort");
            if (p === undefined) p = getKey(port, "containerPort");
            if (p !== undefined) (res ??= []).push(text(p));
          }
        }
      }
      scratch.length = 0;
      return res;
    };
  };
}

/** eff_run_as_user/group: each container's value, else the pod's, else "0" (paths as in the plugin). */
function containerEffective(list: ContainerList, member: string): Planner {
  const keys = containerKeys(list, member);
  const podKeys = ["requestObject", "spec", member];
  return (arg) => {
    const filter = indexArg(arg);
    if (filter === undefined) return NA;
    const scratch: Slot[] = [];
    return (ev) => {
      if (!ev.hasAuditId) return undefined;
      const pod = getPath(ev.json, podKeys);
      const fallback = pod === undefined ? "0" : text(pod);
      scratch.length = 0;
      let res: string[] | undefined;
      if (walk(ev.json, filter, keys, 0, scratch) && scratch.length > 0) {
        res = new Array<string>(scratch.length);
        for (let i = 0; i < scratch.length; i++) {
          const v = scratch[i];
          res[i] = v === undefined ? fallback : text(v);
        }
      }
      scratch.length = 0;
      return res;
    };
  };
}

/** The fields every container list has. */
function containerPlanners(list: ContainerList, withHostPort: boolean): [string, Planner][] {
  const p = `ka.req.pod.${list}.`;
  const sc = (...sub: string[]) => walked(...containerKeys(list, "securityContext", ...sub));
  const planners: [string, Planner][] = [
    [p + "name", containerNames(list)],
    [p + "image", containerImages(list, false)],
    [p + "image.repository", containerImages(list, true)],
    [p + "command", containerWords(list, "command")],
    [p + "args", containerWords(list, "args")],
    [p + "privileged", sc("privileged")],
    [p + "allow_privilege_escalation", sc("allowPrivilegeEscalation")],
    [p + "read_only_fs", sc("readOnlyRootFilesystem")],
    [p + "run_as_user", sc("runAsUser")],
    [p + "eff_run_as_user", containerEffective(list, "runAsUser")],
    [p + "run_as_group", sc("runAsGroup")],
    [p + "eff_run_as_group", containerEffective(list, "runAsGroup")],
    [p + "proc_mount", sc("procMount")],
    [p + "add_capabilities", sc("capabilities", "add")],
  ];
  if (withHostPort) planners.push([p + "host_port", containerHostPorts(list)]);
  return planners;
}

// Single-purpose fields ---------------------------------------------------------------------------------

const uriParam: Planner = (arg) => {
  if (arg === undefined) return NA;
  return (ev) => {
    if (!ev.hasAuditId) return undefined;
    const values = ev.uriQuery()?.get(arg);
    return values === undefined ? undefined : cstr(values[0]);
  };
};

const targetPodName: Planner = () => {
  const nameKeys = ["responseObject", "metadata", "name"];
  return (ev) => {
    if (!ev.hasAuditId) return undefined;
    const ref = getKey(ev.json, "objectRef");
    if (getKey(ref, "resource") !== "pods") return undefined;
    const sub = getKey(ref, "subresource");
    if (typeof sub === "string" && sub !== "") return undefined;
    const v = getPath(ev.json, nameKeys);
    return v === undefined ? undefined : text(v);
  };
};

/** ka.req.container.image(.repository): containers[0].image. */
function firstImage(repo: boolean): Planner {
  return () => {
    const scratch: Slot[] = [];
    return (ev) => {
      if (!ev.hasAuditId) return undefined;
      const res = images(ev.json, "containers", 0, scratch);
      if (res === undefined) return undefined;
      return repo ? repository(res[0]) : res[0];
    };
  };
}

const anyPrivileged: Planner = () => {
  const keys = containerKeys("containers", "securityContext", "privileged");
  const scratch: Slot[] = [];
  return (ev) => {
    if (!ev.hasAuditId) return undefined;
    scratch.length = 0;
    if (!walk(ev.json, NO_FILTER, keys, 0, scratch)) return undefined;
    const any = scratch.includes(true);
    scratch.length = 0;
    return any ? "true" : "false";
  };
};

/** ka.req.volume.hostpath[path]: "true" when some hostPath volume has the path (or prefix, for `x*`). */
const volumeHostPath: Planner = (arg) => {
  // The plugin cannot handle an empty argument (it would slice before the start); give no value.
  if (arg === undefined || arg === "") return NA;
  const prefix = arg.endsWith("*") ? arg.slice(0, -1) : undefined;
  const keys = ["requestObject", "spec", "volumes", "hostPath", "path"];
  const scratch: Slot[] = [];
  return (ev) => {
    if (!ev.hasAuditId) return undefined;
    scratch.length = 0;
    if (!walk(ev.json, NO_FILTER, keys, 0, scratch)) return undefined;
    let found = false;
    for (const v of scratch) {
      if (v === undefined) continue;
      const path = valueAsString(v);
      if ((prefix !== undefined && path.startsWith(prefix)) || path === arg) {
        found = true;
        break;
      }
    }
    scratch.length = 0;
    return found ? "true" : "false";
  };
};

/** volume_type: for each volume object, its member names other than "name". */
const volumeTypes: Planner = (arg) => {
  const filter = indexArg(arg);
  if (filter === undefined) return NA;
  const keys = ["requestObject", "spec", "volumes", ""];
  const scratch: Slot[] = [];
  return (ev) => {
    if (!ev.hasAuditId) return undefined;
    scratch.length = 0;
    let res: string[] | undefined;
    if (walk(ev.json, filter, keys, 0, scratch)) {
      for (const v of scratch) {
        if (typeof v !== "object" || v === null || Array.isArray(v)) continue;
        for (const k in v) {
          if (k !== "name" && Object.prototype.hasOwnProperty.call(v, k)) (res ??= []).push(cstr(k));
        }
      }
    }
    scratch.length = 0;
    return res;
  };
};

// json / jevt --------------------------------------------------------------------------------------------

const jsonValue: Planner = (arg) => {
  if (arg === undefined) return NA;
  if (arg === "") return (ev) => cstr(ev.compact());
  const keys = parseJsonPointer(arg);
  return (ev) => {
    const v = getPath(ev.json, keys);
    return v === undefined ? undefined : text(v);
  };
};

const jsonObj: Planner = () => (ev) => {
  const s = marshalIndented(ev.json);
  return s === undefined ? undefined : cstr(s);
};

const rawTimeText: Planner = () => (ev) => ev.timestampNs().toString();

/** Time of day or date and time in the local zone. The offset is read at plan time, not per event. */
function localTime(date: boolean, nanos: boolean): Planner {
  return () => {
    const offset = localZoneOffsetSeconds();
    return (ev) => formatLocal(ev, offset, date, nanos);
  };
}

const isoTime: Planner = () => (ev) => formatIso8601(ev);

// evt.* fields every source has (libsinsp's generic event class), for audit events -----------------------

const NS_PER_S = 1_000_000_000n;

/** Nanoseconds since the stream's first event, as the unsigned 64-bit difference libsinsp computes. */
function relTime(ev: AuditEvent): bigint {
  const first = BigInt(ev.firstSeconds) * NS_PER_S + BigInt(ev.firstNanos);
  return BigInt.asUintN(64, timestampNanos(ev) - first);
}

/** The host name: FALCO_HOSTNAME when set (even empty), else the machine's. Read at plan time. */
const hostName: Planner = () => {
  const name = process.env.FALCO_HOSTNAME ?? osHostname();
  return () => name;
};

const genericPlanners: [string, Planner][] = [
  ["evt.num", () => (ev) => ev.num],
  ["evt.time", localTime(false, true)],
  ["evt.time.s", localTime(false, false)],
  ["evt.time.iso8601", isoTime],
  ["evt.datetime", localTime(true, true)],
  ["evt.datetime.s", localTime(true, false)],
  ["evt.rawtime", () => (ev) => ev.timestampNs()],
  ["evt.rawtime.s", () => (ev) => Number(ev.timestampNs() / NS_PER_S)],
  ["evt.rawtime.ns", () => (ev) => ev.nanos],
  ["evt.reltime", () => relTime],
  ["evt.reltime.s", () => (ev) => Number(relTime(ev) / NS_PER_S)],
  ["evt.reltime.ns", () => (ev) => Number(relTime(ev) % NS_PER_S)],
  ["evt.pluginname", () => () => K8SAUDIT_PLUGIN_NAME],
  // The plugin's one-line form of an event is the event's data: the compact JSON.
  ["evt.plugininfo", () => (ev) => cstr(ev.compact())],
  ["evt.source", () => () => K8S_AUDIT_SOURCE_NAME],
  ["evt.is_async", () => () => false],
  ["evt.asynctype", () => NA],
  ["evt.hostname", hostName],
];

/** Fields printed zero-padded to nine digits (libsinsp's PF_10_PADDED_DEC). */
const PADDED_FIELDS: ReadonlySet<string> = new Set(["evt.rawtime.ns", "evt.reltime", "evt.reltime.ns"]);

// The table -----------------------------------------------------------------------------------------------

const ANNOTATIONS = "annotations";

const planners = new Map<string, Planner>([
  ["ka.auditid", single("auditID")],
  ["ka.stage", single("stage")],
  ["ka.auth.decision", single(ANNOTATIONS, "authorization.k8s.io/decision")],
  ["ka.auth.reason", single(ANNOTATIONS, "authorization.k8s.io/reason")],
  ["ka.auth.openshift.decision", single(ANNOTATIONS, "authentication.openshift.io/decision")],
  ["ka.auth.openshift.username", single(ANNOTATIONS, "authentication.openshift.io/username")],
  [
    "ka.validations.admission.policy.failure",
    single(ANNOTATIONS, "validation.policy.admission.k8s.io/validation_failure"),
  ],
  ["ka.security.pod.violations", single(ANNOTATIONS, "pod-security.kubernetes.io/audit-violations")],
  ["ka.user.name", single("user", "username")],
  ["ka.user.groups", array("user", "groups")],
  ["ka.impuser.name", single("impersonatedUser", "username")],
  ["ka.verb", single("verb")],
  ["ka.uri", single("requestURI")],
  ["ka.uri.param", uriParam],
  ["ka.target.name", single("objectRef", "name")],
  ["ka.target.namespace", single("objectRef", "namespace")],
  ["ka.target.resource", single("objectRef", "resource")],
  ["ka.target.subresource", single("objectRef", "subresource")],
  ["ka.target.pod.name", targetPodName],
  ["ka.req.binding.subjects", array("requestObject", "subjects")],
  ["ka.req.binding.subjects.user_names", subjectNames("User")],
  ["ka.req.binding.subjects.serviceaccount_names", subjectNames("ServiceAccount")],
  ["ka.req.binding.subjects.serviceaccount_ns_names", subjectNames("NamespacedServiceAccount")],
  ["ka.req.binding.subjects.group_names", subjectNames("Group")],
  ["ka.req.binding.role", single("requestObject", "roleRef", "name")],
  ["ka.req.binding.subject.has_name", () => (ev) => (ev.hasAuditId ? "true" : undefined)],
  ["ka.req.configmap.name", single("objectRef", "name")],
  ["ka.req.configmap.obj", single("requestObject", "data")],
  ["ka.req.container.image", firstImage(false)],
  ["ka.req.container.image.repository", firstImage(true)],
  ["ka.req.pod.host_ipc", single("requestObject", "spec", "hostIPC")],
  ["ka.req.pod.host_network", single("requestObject", "spec", "hostNetwork")],
  ["ka.req.container.host_network", single("requestObject", "spec", "hostNetwork")],
  ["ka.req.pod.host_pid", single("requestObject", "spec", "hostPID")],
  ["ka.req.container.privileged", anyPrivileged],
  ["ka.req.pod.run_as_user", single("requestObject", "spec", "securityContext", "runAsUser")],
  ["ka.req.pod.run_as_group", single("requestObject", "spec", "securityContext", "runAsGroup")],
  ["ka.req.role.rules", array("requestObject", "rules")],
  ["ka.req.role.rules.apiGroups", ruleMember("apiGroups")],
  ["ka.req.role.rules.nonResourceURLs", ruleMember("nonResourceURLs")],
  ["ka.req.role.rules.verbs", ruleMember("verbs")],
  ["ka.req.role.rules.resources", ruleMember("resources")],
  ["ka.req.pod.fs_group", single("requestObject", "spec", "securityContext", "fsGroup")],
  ["ka.req.pod.supplemental_groups", array("requestObject", "spec", "securityContext", "supplementalGroups")],
  ["ka.req.service.type", single("requestObject", "spec", "type")],
  ["ka.req.service.ports", walked("requestObject", "spec", "ports")],
  ["ka.req.pod.volumes.hostpath", walked("requestObject", "spec", "volumes", "hostPath", "path")],
  ["ka.req.volume.hostpath", volumeHostPath],
  [
    "ka.req.pod.volumes.flexvolume_driver",
    walked("requestObject", "spec", "volumes", "flexVolume", "driver"),
  ],
  ["ka.req.pod.volumes.volume_type", volumeTypes],
  ["ka.resp.name", single("responseObject", "metadata", "name")],
  ["ka.response.code", single("responseStatus", "code")],
  ["ka.response.reason", single("responseStatus", "reason")],
  ["ka.useragent", single("userAgent")],
  // As the plugin has it: the rules' sourceIPs of the request object, not the event's own sourceIPs.
  ["ka.sourceips", ruleMember("sourceIPs")],
  ["ka.cluster.name", single(ANNOTATIONS, "cluster_name")],
  ...containerPlanners("containers", true),
  ...containerPlanners("initContainers", true),
  ...containerPlanners("ephemeralContainers", false),
  ["json.value", jsonValue],
  ["jevt.value", jsonValue],
  ["json.obj", jsonObj],
  ["jevt.obj", jsonObj],
  ["json.rawtime", rawTimeText],
  ["jevt.rawtime", rawTimeText],
  ["jevt.time", localTime(false, true)],
  ["jevt.time.iso8601", isoTime],
  ...genericPlanners,
]);

/** Names of every field this module can extract (for checks against the catalogue). */
export function extractableFields(): IterableIterator<string> {
  return planners.keys();
}

/**
 * The extractor for field `name` with argument `arg` (as resolved by the catalogue; index arguments as
 * their digits). Undefined for a name this source does not define.
 */
export function planExtractor(name: string, arg: string | undefined): AuditExtractor | undefined {
  return planners.get(name)?.(arg);
}

// Rendering -------------------------------------------------------------------------------------------------

/** libsinsp renders a list into a 1024-byte buffer: at most 1023 bytes survive. */
const LIST_RENDER_MAX_BYTES = 1023;

function truncateUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes) return s;
  const bytes = Buffer.from(s, "utf8");
  if (bytes.length <= maxBytes) return s;
  let cut = maxBytes;
  while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--; // do not split a character
  return bytes.subarray(0, cut).toString("utf8");
}

/**
 * A value of field `name` as Falco prints it in an output: <NA>, the string, a list as `(a,b)`, numbers
 * in decimal (nine digits, zero-padded, for the nanosecond parts of evt.rawtime/evt.reltime).
 */
export function renderValue(name: string, value: FieldValue): string {
  if (value === undefined) return "<NA>";
  if ((typeof value === "number" || typeof value === "bigint") && PADDED_FIELDS.has(name)) {
    return String(value).padStart(9, "0");
  }
  if (Array.isArray(value)) return truncateUtf8("(" + value.join(",") + ")", LIST_RENDER_MAX_BYTES);
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  return String(value);
}
