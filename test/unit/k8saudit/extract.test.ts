// Extraction of every k8s_audit field against hand-written events, one table row per (event, field):
// the expected value follows the k8saudit/json plugins, including where they give <NA> (undefined).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AuditEvent } from "../../../src/k8saudit/event.js";
import { AuditEventSequence } from "../../../src/k8saudit/event.js";
import { bindingEvent, edited, eventOf, extract, plain, podEvent, rendered, roleEvent } from "./fixture.js";

const pod = eventOf(podEvent());
const binding = eventOf(bindingEvent());
const role = eventOf(roleEvent());

type Row = readonly [event: AuditEvent, field: string, expected: unknown];

function check(rows: readonly Row[]): void {
  for (const [ev, field, expected] of rows) {
    assert.deepEqual(plain(extract(ev, field)), expected, field);
  }
}

test("request, user and target fields", () => {
  check([
    [pod, "ka.auditid", "4c1a5d8e-0000-4000-8000-000000000001"],
    [pod, "ka.stage", "ResponseComplete"],
    [pod, "ka.auth.decision", "allow"],
    [pod, "ka.auth.reason", 'RBAC: allowed by ClusterRoleBinding "admin"'],
    [pod, "ka.auth.openshift.decision", "allow"],
    [pod, "ka.auth.openshift.username", "oc-user"],
    [pod, "ka.validations.admission.policy.failure", "[{}]"],
    [pod, "ka.security.pod.violations", "privileged"],
    [pod, "ka.user.name", "alice"],
    [pod, "ka.user.groups", ["system:authenticated", "devs"]],
    [pod, "ka.impuser.name", "bob"],
    [pod, "ka.verb", "create"],
    [pod, "ka.uri", "/api/v1/namespaces/default/pods?dryRun=All&x=1&x=2&q=a%20b+c"],
    [pod, "ka.uri.param[dryRun]", "All"],
    [pod, "ka.uri.param[x]", "1"], // first of a repeated parameter
    [pod, "ka.uri.param[q]", "a b c"], // query unescaping: %20 and +
    [pod, "ka.uri.param[nope]", undefined],
    [pod, "ka.target.name", "web"],
    [pod, "ka.target.namespace", "default"],
    [pod, "ka.target.resource", "pods"],
    [pod, "ka.target.subresource", undefined],
    [pod, "ka.target.pod.name", "web-7d4b9"],
    [pod, "ka.resp.name", "web-7d4b9"],
    [pod, "ka.response.code", "201"], // a JSON number comes out as its text
    [pod, "ka.response.reason", undefined],
    [pod, "ka.useragent", "kubectl/v1.28.0"],
    [pod, "ka.cluster.name", "prod-eu"],
    // The plugin reads sourceIPs under requestObject.rules, so the event's own sourceIPs are not seen.
    [pod, "ka.sourceips", undefined],
    [role, "ka.sourceips", ["192.0.2.1"]],
  ]);
});

test("pod fields", () => {
  check([
    [pod, "ka.req.pod.containers.name", ["app", "side"]],
    [pod, "ka.req.pod.containers.name[1]", ["side"]],
    [pod, "ka.req.pod.containers.name[2]", undefined],
    [pod, "ka.req.pod.containers.image", ["registry.io:5000/team/app:1.2@sha256:abc", "busybox"]],
    [pod, "ka.req.pod.containers.image[0]", ["registry.io:5000/team/app:1.2@sha256:abc"]],
    // The plugin cuts at the first ':' (here the registry port), then at '@'.
    [pod, "ka.req.pod.containers.image.repository", ["registry.io", "busybox"]],
    [pod, "ka.req.pod.containers.image.repository[1]", ["busybox"]],
    [pod, "ka.req.container.image", "registry.io:5000/team/app:1.2@sha256:abc"],
    [pod, "ka.req.container.image.repository", "registry.io"],
    [pod, "ka.req.pod.containers.command", ["sh -c"]], // only containers that set one
    [pod, "ka.req.pod.containers.command[1]", undefined],
    [pod, "ka.req.pod.containers.args", ["echo hi"]],
    [pod, "ka.req.pod.containers.host_port", ["8080", "443"]], // containerPort where hostPort is unset
    [pod, "ka.req.pod.containers.host_port[1]", undefined],
    [pod, "ka.req.pod.containers.privileged", ["true"]], // list of "true"/"false" texts, unset skipped
    [pod, "ka.req.pod.containers.privileged[0]", ["true"]],
    [pod, "ka.req.pod.containers.privileged[1]", undefined],
    [pod, "ka.req.container.privileged", "true"],
    [pod, "ka.req.pod.containers.allow_privilege_escalation", ["false"]],
    [pod, "ka.req.pod.containers.read_only_fs", ["true"]],
    [pod, "ka.req.pod.containers.run_as_user", ["0"]],
    [pod, "ka.req.pod.containers.run_as_group", ["0"]],
    [pod, "ka.req.pod.containers.proc_mount", ["Unmasked"]],
    [pod, "ka.req.pod.containers.add_capabilities", ['["NET_ADMIN","SYS_TIME"]']], // one JSON array per container
    // eff_*: the plugin reads runAsUser/runAsGroup beside the containers and the pod spec, not in
    // their securityContext, so here every container falls back to "0".
    [pod, "ka.req.pod.containers.eff_run_as_user", ["0", "0"]],
    // With an index there is no fallback: the selected container must have the member.
    [pod, "ka.req.pod.containers.eff_run_as_group[1]", undefined],
    [pod, "ka.req.pod.host_ipc", undefined],
    [pod, "ka.req.pod.host_network", "true"],
    [pod, "ka.req.container.host_network", "true"],
    [pod, "ka.req.pod.host_pid", "false"],
    [pod, "ka.req.pod.run_as_user", "1000"],
    [pod, "ka.req.pod.run_as_group", "3000"],
    [pod, "ka.req.pod.fs_group", "2000"],
    [pod, "ka.req.pod.supplemental_groups", ["1", "2"]],
    [pod, "ka.req.pod.volumes.hostpath", ["/", "/var/run/docker.sock"]],
    [pod, "ka.req.pod.volumes.hostpath[2]", ["/var/run/docker.sock"]],
    [pod, "ka.req.pod.volumes.hostpath[1]", undefined], // volume 1 is a configMap
    [pod, "ka.req.pod.volumes.flexvolume_driver", ["vendor/drv"]],
    [pod, "ka.req.pod.volumes.volume_type", ["hostPath", "configMap", "hostPath", "flexVolume"]],
    [pod, "ka.req.pod.volumes.volume_type[3]", ["flexVolume"]],
    [pod, "ka.req.volume.hostpath[/var/run/docker.sock]", "true"],
    [pod, "ka.req.volume.hostpath[/var/run*]", "true"],
    [pod, "ka.req.volume.hostpath[/]", "true"],
    [pod, "ka.req.volume.hostpath[/etc]", "false"],
    [pod, "ka.req.volume.hostpath[/etc*]", "false"],
    [pod, "ka.req.pod.initContainers.name", ["init"]],
    [pod, "ka.req.pod.initContainers.image.repository", ["alpine"]],
    [pod, "ka.req.pod.initContainers.privileged", ["false"]],
    [pod, "ka.req.pod.initContainers.host_port", undefined],
    [pod, "ka.req.pod.ephemeralContainers.image", ["nicolaka/netshoot@sha256:ff"]],
    [pod, "ka.req.pod.ephemeralContainers.image.repository", ["nicolaka/netshoot"]],
    [pod, "ka.req.pod.ephemeralContainers.privileged", undefined],
    [pod, "ka.req.pod.ephemeralContainers.eff_run_as_user", ["0"]],
    [pod, "ka.req.service.type", undefined],
    [pod, "ka.req.configmap.obj", undefined],
    [pod, "ka.req.binding.subjects", undefined],
    [pod, "ka.req.role.rules.verbs", undefined],
  ]);
});

test("binding, role, service and configmap fields", () => {
  const service = edited(podEvent, (e) => {
    e.objectRef = { resource: "services", name: "svc" };
    e.requestObject = { kind: "Service", spec: { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] } };
  });
  const configmap = edited(podEvent, (e) => {
    e.objectRef = { resource: "configmaps", name: "cm" };
    e.requestObject = { kind: "ConfigMap", data: { aws_access_key_id: "x", note: 'say "hi"\n' } };
  });
  check([
    [binding, "ka.req.binding.role", "cluster-admin"],
    [binding, "ka.req.binding.subjects.user_names", ["u1"]],
    [binding, "ka.req.binding.subjects.serviceaccount_names", ["sa1", "sa2"]],
    [binding, "ka.req.binding.subjects.serviceaccount_ns_names", ["ns1:sa1"]], // sa2 has no namespace
    [binding, "ka.req.binding.subjects.group_names", ["g1"]],
    [binding, "ka.req.binding.subject.has_name[anything]", "true"],
    [
      binding,
      "ka.req.binding.subjects",
      [
        '{"kind":"User","name":"u1"}',
        '{"kind":"ServiceAccount","name":"sa1","namespace":"ns1"}',
        '{"kind":"ServiceAccount","name":"sa2"}',
        '{"kind":"Group","name":"g1"}',
        '{"kind":"User"}',
        "not-an-object",
      ],
    ],
    [role, "ka.req.role.rules.verbs", ["get", "list", "*"]],
    [role, "ka.req.role.rules.verbs[1]", ["*"]],
    [role, "ka.req.role.rules.verbs[2]", undefined],
    [role, "ka.req.role.rules.resources", ["pods", "secrets"]],
    [role, "ka.req.role.rules.apiGroups", [""]],
    [role, "ka.req.role.rules.nonResourceURLs", ["/healthz"]],
    [
      role,
      "ka.req.role.rules",
      [
        '{"apiGroups":[""],"resources":["pods","secrets"],"verbs":["get","list"]}',
        '{"nonResourceURLs":["/healthz"],"verbs":["*"],"sourceIPs":["192.0.2.1"]}',
      ],
    ],
    [service, "ka.req.service.type", "NodePort"],
    // The plugin stops at the ports array itself: one JSON text, whatever the index.
    [service, "ka.req.service.ports", ['[{"port":80,"nodePort":30080}]']],
    [service, "ka.req.service.ports[0]", ['[{"port":80,"nodePort":30080}]']],
    [configmap, "ka.req.configmap.name", "cm"],
    [configmap, "ka.req.configmap.obj", '{"aws_access_key_id":"x","note":"say \\"hi\\"\\n"}'],
  ]);
});

test("json.*, jevt.* and evt.* fields", () => {
  check([
    [pod, "json.value[/user/username]", "alice"],
    [pod, "jevt.value[/user/username]", "alice"],
    [pod, "jevt.value[user/username]", "alice"], // the leading '/' is optional
    [pod, "json.value[/user/groups/1]", "devs"],
    [pod, "json.value[/user/groups/+1]", "devs"], // array indexes parse like Go's Atoi
    [pod, "json.value[/user/groups/2]", undefined],
    [pod, "json.value[/user/groups/-1]", undefined],
    [pod, "json.value[/annotations/authorization.k8s.io~1decision]", "allow"],
    [pod, "json.value[/requestObject/spec/hostNetwork]", "true"],
    [pod, "json.value[/user]", '{"username":"alice","groups":["system:authenticated","devs"]}'],
    [pod, "json.value[/constructor]", undefined], // no prototype members
    [pod, "json.value[/user/__proto__]", undefined],
    [pod, "json.value[/stage]", "ResponseComplete"],
    [pod, "json.rawtime", "1714979289123456789"],
    [pod, "jevt.rawtime", "1714979289123456789"],
    [pod, "jevt.time.iso8601", "2024-05-06T07:08:09.123456789+0000"],
    [pod, "evt.time.iso8601", "2024-05-06T07:08:09.123456789+0000"],
    [pod, "evt.rawtime", "1714979289123456789n"],
    [pod, "evt.rawtime.s", 1714979289],
    [pod, "evt.rawtime.ns", 123456789],
    [pod, "evt.source", "k8s_audit"],
    [pod, "evt.pluginname", "k8saudit"],
    [pod, "evt.is_async", false],
    [pod, "evt.asynctype", undefined],
  ]);
  const obj = extract(pod, "json.obj");
  assert.equal(obj, JSON.stringify(podEvent(), null, 2), "json.obj: two-space indentation, members in order");
  assert.equal(extract(pod, "jevt.obj"), obj);
  assert.equal(extract(pod, "evt.plugininfo"), JSON.stringify(podEvent()));
  // Local-time forms depend on the zone; check their shape and that they agree with each other.
  const time = extract(pod, "evt.time") as string;
  assert.match(time, /^\d\d:\d\d:\d\d\.123456789$/);
  assert.equal(extract(pod, "jevt.time"), time);
  assert.equal(extract(pod, "evt.time.s"), time.slice(0, 8));
  assert.match(
    extract(pod, "evt.datetime") as string,
    new RegExp(`^2024-05-0[567] ${time.replace(".", "\\.")}$`),
  );
  assert.match(extract(pod, "evt.datetime.s") as string, /^2024-05-0[567] \d\d:\d\d:\d\d$/);
  assert.equal(typeof extract(pod, "evt.hostname"), "string");
});

test("evt.num and evt.reltime follow the stream a sequence stamps", () => {
  const a = eventOf({ ...podEvent(), stageTimestamp: "2024-05-06T07:08:09.5Z" });
  const b = eventOf({ ...podEvent(), stageTimestamp: "2024-05-06T07:08:11.25Z" });
  check([
    [a, "evt.num", 0],
    [a, "evt.reltime", "0n"],
  ]);
  const seq = new AuditEventSequence();
  seq.stamp(a);
  seq.stamp(b);
  check([
    [a, "evt.num", 1],
    [b, "evt.num", 2],
    [b, "evt.reltime", "1750000000n"],
    [b, "evt.reltime.s", 1],
    [b, "evt.reltime.ns", 750000000],
  ]);
  assert.equal(rendered(b, "evt.reltime.ns"), "750000000");
  assert.equal(rendered(a, "evt.reltime"), "000000000");
});

test("every ka.* field is <NA> on an event without auditID; json.* still reads it", () => {
  const noId = edited(podEvent, (e) => delete e.auditID);
  const nullId = edited(podEvent, (e) => (e.auditID = null));
  for (const field of [
    "ka.user.name",
    "ka.req.pod.containers.image",
    "ka.req.binding.subject.has_name[x]",
    "ka.uri.param[x]",
  ]) {
    assert.equal(extract(noId, field), undefined, field);
  }
  assert.equal(extract(nullId, "ka.auditid"), "null", "present but null still counts");
  assert.equal(extract(noId, "json.value[/user/username]"), "alice");
  assert.equal(extract(noId, "jevt.rawtime"), "1714979289123456789");
});

test("<NA>, empty and odd values, as the plugins give them", () => {
  const rows: [string, (e: { [k: string]: unknown }) => void, string, unknown][] = [
    ["empty list is <NA>", (e) => ((e.user as { groups: unknown }).groups = []), "ka.user.groups", undefined],
    [
      "list field on a non-array",
      (e) => ((e.user as { groups: unknown }).groups = "devs"),
      "ka.user.groups",
      undefined,
    ],
    [
      "null member is the text null",
      (e) => ((e.impersonatedUser as { username: unknown }).username = null),
      "ka.impuser.name",
      "null",
    ],
    ["empty string stays empty", (e) => (e.verb = ""), "ka.verb", ""],
    [
      "strings end at NUL",
      (e) => ((e.user as { username: unknown }).username = "ali\u0000ce"),
      "ka.user.name",
      "ali",
    ],
    [
      "list elements end at NUL",
      (e) => ((e.user as { groups: unknown }).groups = ["a\u0000b", 1]),
      "ka.user.groups",
      ["a", "1"],
    ],
    ["object member as JSON", (e) => (e.stage = { a: [1, true, null] }), "ka.stage", '{"a":[1,true,null]}'],
    ["non-string requestURI is read as its JSON", (e) => (e.requestURI = 5), "ka.uri.param[x]", undefined],
    [
      "';' in the query makes every param <NA>",
      (e) => (e.requestURI = "/p?x=1;y=2&z=3"),
      "ka.uri.param[z]",
      undefined,
    ],
    ["bad escape in the query", (e) => (e.requestURI = "/p?x=%zz&z=3"), "ka.uri.param[z]", undefined],
    ["bad escape in the path", (e) => (e.requestURI = "/p%2?z=3"), "ka.uri.param[z]", undefined],
    ["control character in the URI", (e) => (e.requestURI = "/p?z=3\u0001"), "ka.uri.param[z]", undefined],
    ["key without value", (e) => (e.requestURI = "/p?flag&z=3"), "ka.uri.param[flag]", ""],
    ["fragment is not query", (e) => (e.requestURI = "/p?z=3#w=4"), "ka.uri.param[w]", undefined],
    [
      "a container without image makes the list <NA>",
      (e) => delete podSpec(e).containers[1].image,
      "ka.req.pod.containers.image",
      undefined,
    ],
    [
      "... but not the indexed one",
      (e) => delete podSpec(e).containers[1].image,
      "ka.req.pod.containers.image[0]",
      ["registry.io:5000/team/app:1.2@sha256:abc"],
    ],
    [
      "non-string image is its JSON",
      (e) => (podSpec(e).containers[1].image = 7),
      "ka.req.pod.containers.image[1]",
      ["7"],
    ],
    [
      "command that is not an array",
      (e) => (podSpec(e).containers[0].command = "sh"),
      "ka.req.pod.containers.command",
      undefined,
    ],
    [
      "command with a non-string word",
      (e) => (podSpec(e).containers[0].command = ["sh", 1]),
      "ka.req.pod.containers.command",
      undefined,
    ],
    [
      "empty command is an empty string",
      (e) => (podSpec(e).containers[0].command = []),
      "ka.req.pod.containers.command",
      [""],
    ],
    [
      "ports not an array",
      (e) => (podSpec(e).containers[0].ports = {}),
      "ka.req.pod.containers.host_port",
      undefined,
    ],
    [
      "null hostPort is the text null",
      (e) => (podSpec(e).containers[0].ports = [{ hostPort: null, containerPort: 1 }]),
      "ka.req.pod.containers.host_port",
      ["null"],
    ],
    ["no containers", (e) => delete podSpec(e).containers, "ka.req.pod.containers.name", undefined],
    [
      "no containers: any-privileged is <NA>",
      (e) => delete podSpec(e).containers,
      "ka.req.container.privileged",
      undefined,
    ],
    [
      "no privileged container",
      (e) => (podSpec(e).containers[0].securityContext.privileged = "true"),
      "ka.req.container.privileged",
      "false",
    ],
    ["empty container list", (e) => (podSpec(e).containers = []), "ka.req.pod.containers.image", undefined],
    [
      "empty container list: first image",
      (e) => (podSpec(e).containers = []),
      "ka.req.container.image",
      undefined,
    ],
    [
      "containers as an object",
      (e) => (podSpec(e).containers = { name: "solo" }),
      "ka.req.pod.containers.name",
      ["solo"],
    ],
    [
      "eff_run_as_user falls back to the spec's own runAsUser",
      (e) => {
        podSpec(e).runAsUser = 7;
        podSpec(e).containers[1].runAsUser = 9;
      },
      "ka.req.pod.containers.eff_run_as_user",
      ["7", "9"],
    ],
    [
      "nested arrays are walked too",
      (e) => (podSpec(e).volumes = [[{ hostPath: { path: "/a" } }], { hostPath: { path: "/b" } }]),
      "ka.req.pod.volumes.hostpath",
      ["/a", "/b"],
    ],
    [
      "volume_type skips non-objects",
      (e) => (podSpec(e).volumes = [1, { name: "n" }, { name: "x", emptyDir: {} }]),
      "ka.req.pod.volumes.volume_type",
      ["emptyDir"],
    ],
    [
      "pod name only for pods",
      (e) => ((e.objectRef as { resource: string }).resource = "secrets"),
      "ka.target.pod.name",
      undefined,
    ],
    [
      "pod name not for a subresource",
      (e) => ((e.objectRef as { subresource: string }).subresource = "exec"),
      "ka.target.pod.name",
      undefined,
    ],
    [
      "pod name: empty subresource is none",
      (e) => ((e.objectRef as { subresource: string }).subresource = ""),
      "ka.target.pod.name",
      "web-7d4b9",
    ],
    [
      "subjects not an array",
      (e) => (e.requestObject = { subjects: {} }),
      "ka.req.binding.subjects.user_names",
      undefined,
    ],
    ["json pointer to null", (e) => (e.stage = null), "json.value[/stage]", "null"],
    ["json pointer through a string", (e) => (e.stage = "abc"), "json.value[/stage/0]", undefined],
  ];
  for (const [what, edit, field, expected] of rows) {
    const ev = edited(podEvent, edit as (e: object) => void);
    assert.deepEqual(extract(ev, field), expected, `${what} (${field})`);
  }
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function podSpec(e: { [k: string]: unknown }): any {
  return (e.requestObject as { spec: unknown }).spec;
}

test("json.obj is <NA> where Go would write escapes that are not JSON", () => {
  const ok = edited(podEvent, (e) => (e.stage = 'q"\u00e9\u2028'));
  assert.match(extract(ok, "json.obj") as string, /"stage": "q\\"é\\u2028"/);
  const bell = edited(podEvent, (e) => (e.stage = '"\u0007'));
  assert.equal(extract(bell, "json.obj"), undefined);
  assert.equal(extract(bell, "ka.stage"), '"\u0007', "the string itself is fine");
  assert.equal(extract(bell, "json.value[/annotations/cluster_name]"), "prod-eu");
});

test("rendering as outputs print values", () => {
  assert.equal(
    rendered(pod, "ka.req.pod.containers.image"),
    "(registry.io:5000/team/app:1.2@sha256:abc,busybox)",
  );
  assert.equal(rendered(pod, "ka.req.pod.containers.privileged"), "(true)");
  assert.equal(rendered(pod, "ka.user.name"), "alice");
  assert.equal(rendered(pod, "ka.response.reason"), "<NA>");
  assert.equal(rendered(pod, "ka.req.pod.containers.host_port[1]"), "<NA>");
  assert.equal(rendered(pod, "evt.rawtime"), "1714979289123456789");
  assert.equal(rendered(pod, "evt.is_async"), "false");
  const ns = eventOf({ ...podEvent(), stageTimestamp: "2024-05-06T07:08:09.000001Z" });
  assert.equal(rendered(ns, "evt.rawtime.ns"), "000001000");
  // A list renders into libsinsp's 1024-byte buffer.
  const many = edited(
    podEvent,
    (e) => ((e.user as { groups: unknown }).groups = Array.from({ length: 300 }, (_, i) => `group-${i}`)),
  );
  const text = rendered(many, "ka.user.groups");
  assert.equal(Buffer.byteLength(text), 1023);
  assert.ok(text.startsWith("(group-0,group-1,"));
  const wide = edited(podEvent, (e) => ((e.user as { groups: unknown }).groups = ["é".repeat(600)]));
  const cut = rendered(wide, "ka.user.groups");
  assert.ok(Buffer.byteLength(cut) <= 1023 && !cut.includes("\ufffd"), "cut between characters");
});
