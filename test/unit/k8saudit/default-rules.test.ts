// Saker's default audit rules (rules/saker_k8s_audit_rules.yaml): the file loads cleanly, and every rule
// fires on the events it is about and stays quiet on the near misses. Events are corpus recordings
// where the corpus has one, hand-written otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import { validateRules } from "../../../src/cli/commands/rules.js";
import { buildDetector, type Detector } from "../../../src/engine/detector.js";
import { parseAuditPayload, type AuditEvent } from "../../../src/k8saudit/event.js";
import { k8sAuditSource } from "../../../src/k8saudit/source.js";
import { loadRulesPaths } from "../../../src/rules/loader/load.js";
import { corpusPath, repoRoot } from "../../support/paths.js";

const RULES_FILE = resolve(repoRoot, "rules/saker_k8s_audit_rules.yaml");

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Shape {
  verb: string;
  resource: string;
  user?: string;
  groups?: string[];
  subresource?: string;
  namespace?: string;
  name?: string;
  uri?: string;
  body?: { [k: string]: Json };
  stage?: string;
  code?: number;
  decision?: string;
}

/** A hand-written audit event (one JSON line), shaped as the API server writes them. */
function event(s: Shape): string {
  const objectRef: { [k: string]: Json } = { resource: s.resource, apiVersion: "v1" };
  if (s.subresource !== undefined) objectRef.subresource = s.subresource;
  if (s.namespace !== undefined) objectRef.namespace = s.namespace;
  if (s.name !== undefined) objectRef.name = s.name;
  const ns = s.namespace === undefined ? "" : `/namespaces/${s.namespace}`;
  const e: { [k: string]: Json } = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "RequestResponse",
    auditID: "0b7e6a8e-1111-4222-8333-444455556666",
    stage: s.stage ?? "ResponseComplete",
    requestURI: s.uri ?? `/api/v1${ns}/${s.resource}${s.name === undefined ? "" : `/${s.name}`}`,
    verb: s.verb,
    user: { username: s.user ?? "alice", groups: s.groups ?? ["system:authenticated"] },
    sourceIPs: ["10.1.2.3"],
    userAgent: "kubectl/v1.30.0",
    objectRef,
    responseStatus: { metadata: {}, code: s.code ?? (s.verb === "create" ? 201 : 200) },
    annotations: {
      "authorization.k8s.io/decision": s.decision ?? "allow",
      "authorization.k8s.io/reason": "",
    },
    requestReceivedTimestamp: "2024-06-01T10:00:00.000000Z",
    stageTimestamp: "2024-06-01T10:00:00.100000Z",
  };
  if (s.body !== undefined) e.requestObject = s.body;
  return JSON.stringify(e);
}

const corpus = (name: string): string => readFileSync(corpusPath("k8saudit", name), "utf8").trim();

function pod(spec: { [k: string]: Json }, extra: Partial<Shape> = {}): string {
  return event({
    verb: "create",
    resource: "pods",
    namespace: "default",
    body: { kind: "Pod", apiVersion: "v1", metadata: { name: "p" }, spec },
    ...extra,
  });
}
const nginx = { name: "web", image: "nginx:1.27" };
const hostPathPod = (...paths: string[]): string =>
  pod({
    containers: [nginx],
    volumes: [
      { name: "cache", emptyDir: {} },
      { name: "cfg", configMap: { name: "c" } },
      ...paths.map((path, i) => ({ name: `h${i}`, hostPath: { path, type: "" } })),
    ],
  });
const configMap = (data: { [k: string]: Json }, extra: Partial<Shape> = {}): string =>
  event({
    verb: "create",
    resource: "configmaps",
    namespace: "default",
    name: "settings",
    body: { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "settings" }, data },
    ...extra,
  });
const secret = (body: { [k: string]: Json }): string =>
  event({
    verb: "create",
    resource: "secrets",
    namespace: "apps",
    name: "creds",
    body: { kind: "Secret", apiVersion: "v1", metadata: { name: "creds" }, type: "Opaque", ...body },
  });
const binding = (resource: string, role: string, user = "alice"): string =>
  event({
    verb: "create",
    resource,
    user,
    namespace: resource === "rolebindings" ? "apps" : undefined,
    name: "b",
    body: {
      kind: resource === "rolebindings" ? "RoleBinding" : "ClusterRoleBinding",
      metadata: { name: "b" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [{ kind: "User", name: "mallory", apiGroup: "rbac.authorization.k8s.io" }],
    },
  });
const role = (resource: string, rules: Json[], user = "alice"): string =>
  event({
    verb: "create",
    resource,
    user,
    namespace: resource === "roles" ? "apps" : undefined,
    name: "r",
    body: { kind: resource === "roles" ? "Role" : "ClusterRole", metadata: { name: "r" }, rules },
  });
const service = (type: string, verb = "create"): string =>
  event({
    verb,
    resource: "services",
    namespace: "apps",
    name: "s",
    body: {
      kind: "Service",
      metadata: { name: "s" },
      spec: { type, ports: [{ port: 80, nodePort: 30080 }] },
    },
  });
const b64 = (s: string): string => Buffer.from(s).toString("base64");

interface RuleCase {
  readonly rule: string;
  readonly fires: readonly [string, string][];
  readonly quiet: readonly [string, string][];
}

const CASES: readonly RuleCase[] = [
  {
    rule: "Exec Or Attach Into Pod",
    fires: [
      ["corpus exec_pod.json", corpus("exec_pod.json")],
      [
        "attach",
        event({
          verb: "create",
          resource: "pods",
          subresource: "attach",
          namespace: "a",
          name: "p",
          stage: "ResponseStarted",
          code: 101,
        }),
      ],
    ],
    quiet: [
      ["pod creation", corpus("create_nginx_pod_unprivileged.json")],
      ["logs", event({ verb: "get", resource: "pods", subresource: "log", namespace: "a", name: "p" })],
      [
        "allowed user",
        event({
          verb: "create",
          resource: "pods",
          subresource: "exec",
          namespace: "a",
          name: "p",
          user: "system:kube-controller-manager",
        }),
      ],
      [
        "request only received",
        event({
          verb: "create",
          resource: "pods",
          subresource: "exec",
          namespace: "a",
          name: "p",
          stage: "RequestReceived",
        }),
      ],
    ],
  },
  {
    rule: "Privileged Pod Created",
    fires: [
      ["corpus privileged pod", corpus("create_nginx_pod_privileged.json")],
      [
        "corpus privileged 2nd container",
        corpus("create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json"),
      ],
      [
        "privileged init container",
        pod({
          containers: [nginx],
          initContainers: [{ name: "i", image: "busybox", securityContext: { privileged: true } }],
        }),
      ],
    ],
    quiet: [
      ["corpus unprivileged pod", corpus("create_nginx_pod_unprivileged.json")],
      ["privileged: false", pod({ containers: [{ ...nginx, securityContext: { privileged: false } }] })],
      [
        "kube-system daemon",
        pod(
          { containers: [{ ...nginx, securityContext: { privileged: true } }] },
          { namespace: "kube-system", user: "system:serviceaccount:kube-system:daemon-set-controller" },
        ),
      ],
      [
        "refused by admission",
        pod(
          { containers: [{ ...nginx, securityContext: { privileged: true } }] },
          { stage: "RequestReceived" },
        ),
      ],
    ],
  },
  {
    rule: "Pod Shares Host Namespaces",
    fires: [
      ["corpus hostNetwork pod", corpus("create_nginx_pod_hostnetwork.json")],
      ["hostPID", pod({ hostPID: true, containers: [nginx] })],
      ["hostIPC", pod({ hostIPC: true, containers: [nginx] })],
    ],
    quiet: [
      ["corpus pod without hostNetwork", corpus("create_nginx_pod_nohostnetwork.json")],
      ["all false", pod({ hostNetwork: false, hostPID: false, hostIPC: false, containers: [nginx] })],
    ],
  },
  {
    rule: "Pod Mounts Sensitive Host Path",
    fires: [
      ["corpus /etc mount", corpus("create_nginx_pod_sensitive_mount_2nd_container.json")],
      ["root", hostPathPod("/")],
      ["runtime socket", hostPathPod("/var/run/docker.sock")],
      ["below /etc", hostPathPod("/etc/kubernetes/pki")],
      ["kubelet state", hostPathPod("/var/lib/kubelet/pods")],
      ["doubled slash", hostPathPod("//etc")],
      ["dot segment", hostPathPod("/./proc")],
      ["dot-dot segment", hostPathPod("/tmp/../etc")],
      ["after harmless ones", hostPathPod("/data", "/srv/www", "/root/.ssh")],
    ],
    quiet: [
      ["data directory", hostPathPod("/data/app")],
      ["look-alike name", hostPathPod("/etcetera", "/procurement", "/var/lib/app")],
      ["no hostPath", pod({ containers: [nginx], volumes: [{ name: "x", emptyDir: {} }] })],
      [
        "path in a configMap volume name",
        pod({ containers: [nginx], volumes: [{ name: "etc", configMap: { name: "/etc" } }] }),
      ],
    ],
  },
  {
    rule: "Binding To Cluster Admin",
    fires: [
      ["corpus cluster-admin binding", corpus("attach_cluster_admin_role.json")],
      ["rolebinding to cluster-admin", binding("rolebindings", "cluster-admin")],
    ],
    quiet: [
      ["binding to view", binding("clusterrolebindings", "view")],
      ["bootstrap by the API server", binding("clusterrolebindings", "cluster-admin", "system:apiserver")],
    ],
  },
  {
    rule: "Role With Wildcard Permissions",
    fires: [
      ["corpus wildcard resources", corpus("create_cluster_role_wildcard_resources.json")],
      ["wildcard verbs in a role", role("roles", [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }])],
    ],
    quiet: [
      ["corpus plain cluster role", corpus("create_clusterrole.json")],
      ["corpus write privileges", corpus("create_cluster_role_write_privileges.json")],
      [
        "bootstrap",
        role("clusterroles", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }], "system:apiserver"),
      ],
    ],
  },
  {
    rule: "Credentials In ConfigMap",
    fires: [
      ["password key", configMap({ DB_PASSWORD: "hunter2" })],
      ["api key", configMap({ "stripe.api_key": "sk_live_x" })],
      ["AWS key id in a value", configMap({ "app.conf": "key=AKIAIOSFODNN7EXAMPLE\n" })],
      ["PEM private key", configMap({ "tls.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n" })],
      ["patched in", configMap({ client_secret: "x" }, { verb: "patch" })],
    ],
    quiet: [
      ["corpus plain configmap", corpus("create_configmap.json")],
      ["word only in a value", configMap({ "policy.txt": 'password": must be long' })],
      ["kube-system", configMap({ token: "x" }, { namespace: "kube-system" })],
    ],
  },
  {
    rule: "Cloud Credentials Stored In Secret",
    fires: [
      ["AWS keys", secret({ data: { AWS_ACCESS_KEY_ID: b64("AKIA"), AWS_SECRET_ACCESS_KEY: b64("x") } })],
      [
        "GCP service account key",
        secret({
          stringData: {
            "key.json":
              '{"type":"service_account","private_key_id":"0f1e","private_key":"-----BEGIN PRIVATE KEY-----"}',
          },
        }),
      ],
    ],
    quiet: [
      ["corpus secret (metadata only)", corpus("create_secret.json")],
      ["ordinary credentials", secret({ data: { username: b64("app"), password: b64("pw") } })],
    ],
  },
  {
    rule: "Secrets Listed Across All Namespaces",
    fires: [
      [
        "cluster-wide list",
        event({ verb: "list", resource: "secrets", user: "mallory", uri: "/api/v1/secrets" }),
      ],
    ],
    quiet: [
      ["one namespace", event({ verb: "list", resource: "secrets", namespace: "apps" })],
      [
        "controller manager",
        event({ verb: "watch", resource: "secrets", user: "system:kube-controller-manager" }),
      ],
      [
        "denied",
        event({ verb: "list", resource: "secrets", user: "mallory", decision: "forbid", code: 403 }),
      ],
    ],
  },
  {
    rule: "Anonymous Write Allowed",
    fires: [["corpus anonymous namespace creation", corpus("anonymous_creates_namespace_foo.json")]],
    quiet: [
      [
        "anonymous read",
        event({ verb: "get", resource: "namespaces", name: "default", user: "system:anonymous" }),
      ],
      [
        "anonymous write denied",
        event({
          verb: "create",
          resource: "namespaces",
          user: "system:anonymous",
          decision: "forbid",
          code: 403,
        }),
      ],
      ["authenticated write", corpus("some-user_creates_namespace_foo.json")],
    ],
  },
  {
    rule: "Write By Unrecognised System Identity",
    fires: [
      [
        "minted system: name",
        event({ verb: "create", resource: "deployments", namespace: "apps", user: "system:admin" }),
      ],
    ],
    quiet: [
      ["service account", corpus("create_pod_kube_system_namespace.json")],
      [
        "node",
        event({
          verb: "patch",
          resource: "pods",
          subresource: "status",
          namespace: "a",
          user: "system:node:n1",
        }),
      ],
      [
        "controller manager",
        event({
          verb: "update",
          resource: "leases",
          namespace: "kube-system",
          user: "system:kube-controller-manager",
        }),
      ],
      ["read", event({ verb: "get", resource: "pods", namespace: "a", user: "system:admin" })],
    ],
  },
  {
    rule: "Object Created In Reserved Namespace",
    fires: [
      ["corpus service account in kube-public", corpus("create_serviceaccount_kube_public_namespace.json")],
      ["corpus secret in kube-system", corpus("create_kube_system_secret.json")],
    ],
    quiet: [
      ["corpus pod by a kube-system controller", corpus("create_pod_kube_system_namespace.json")],
      ["routine resource", event({ verb: "create", resource: "events", namespace: "kube-system" })],
      ["other namespace", event({ verb: "create", resource: "serviceaccounts", namespace: "apps" })],
    ],
  },
  {
    rule: "NodePort Service Created",
    fires: [
      ["corpus NodePort service", corpus("create_nginx_service_nodeport.json")],
      ["changed to NodePort", service("NodePort", "update")],
    ],
    quiet: [
      ["corpus service deletion", corpus("delete_service.json")],
      ["ClusterIP", service("ClusterIP")],
    ],
  },
];

function detector(): Detector<AuditEvent> {
  const loaded = loadRulesPaths([RULES_FILE]);
  assert.ok(loaded.successful);
  const built = buildDetector(loaded.ruleset, k8sAuditSource, {
    matching: "all",
    alertConfig: { ...DEFAULT_ALERT_CONFIG, hostname: "h" },
  });
  assert.ok(built.ok);
  return built.detector;
}

function firedRules(d: Detector<AuditEvent>, line: string): { rules: string[]; outputs: string[] } {
  const parsed = parseAuditPayload(line);
  assert.ok(parsed.ok && parsed.events.length > 0, line.slice(0, 80));
  const rules: string[] = [];
  const outputs: string[] = [];
  for (const e of parsed.events) {
    d.process(e, "", e.timestampNs(), (a) => {
      rules.push(a.rule);
      outputs.push(a.message);
    });
  }
  return { rules, outputs };
}

test("the default audit rules load with no error and no warning", () => {
  const result = validateRules([RULES_FILE]);
  assert.equal(result.exitCode, 0, result.stdout);
  for (const f of result.outcome.files) {
    assert.deepEqual(f.errors, []);
    assert.deepEqual(f.warnings, [], f.warnings.map((w) => w.message).join("\n"));
  }
  const rules = result.outcome.ruleset.rules;
  assert.ok(rules.length >= 13);
  assert.ok(rules.every((r) => r.source === "k8s_audit" && r.enabled));
});

test("every default audit rule has cases", () => {
  const names = detector().rules.map((r) => r.name);
  assert.deepEqual([...names].sort(), CASES.map((c) => c.rule).sort());
});

for (const c of CASES) {
  test(`rule '${c.rule}'`, () => {
    const d = detector();
    for (const [what, line] of c.fires) {
      const { rules, outputs } = firedRules(d, line);
      assert.ok(rules.includes(c.rule), `should fire on ${what}; fired: ${JSON.stringify(rules)}`);
      const out = outputs[rules.indexOf(c.rule)];
      assert.doesNotMatch(out, /%[a-z]/, `output fully formatted: ${out}`);
    }
    for (const [what, line] of c.quiet) {
      const { rules } = firedRules(d, line);
      assert.ok(!rules.includes(c.rule), `should not fire on ${what}`);
    }
  });
}
