// The files in deploy/k8s-audit: the webhook kubeconfig points at the webhook's default path, and the
// audit policy, applied with the API server's first-match semantics, records every request the default
// audit rules need at the level they need (and drops the reads they do not).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../../support/paths.js";

const LEVELS = ["None", "Metadata", "Request", "RequestResponse"] as const;
type Level = (typeof LEVELS)[number];

interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  namespaces?: string[];
  resources?: { group?: string; resources?: string[]; resourceNames?: string[] }[];
  nonResourceURLs?: string[];
}

interface Req {
  user?: string;
  groups?: string[];
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  url?: string;
}

// The API server's policy rule matching (k8s.io/apiserver/pkg/audit/policy), for the fields used here.
function ruleMatches(r: PolicyRule, q: Req): boolean {
  const user = q.user ?? "alice";
  if (r.users !== undefined && !r.users.includes(user)) return false;
  if (r.userGroups !== undefined && !(q.groups ?? []).some((g) => r.userGroups!.includes(g))) return false;
  if (r.verbs !== undefined && !r.verbs.includes(q.verb)) return false;
  if (q.resource === undefined) {
    if (r.resources !== undefined || r.namespaces !== undefined) return false;
    if (r.nonResourceURLs === undefined) return true;
    return r.nonResourceURLs.some((u) => (u.endsWith("*") ? q.url!.startsWith(u.slice(0, -1)) : u === q.url));
  }
  if (r.nonResourceURLs !== undefined) return false;
  if (r.namespaces !== undefined && !r.namespaces.includes(q.namespace ?? "")) return false;
  if (r.resources === undefined) return true;
  const full = q.subresource === undefined ? q.resource : `${q.resource}/${q.subresource}`;
  return r.resources.some(
    (gr) =>
      (gr.group ?? "") === (q.group ?? "") &&
      (gr.resources === undefined ||
        gr.resources.some((name) => name === "*" || name === full || name === `*/${q.subresource}`)),
  );
}

const policy = parse(readFileSync(resolve(repoRoot, "deploy/k8s-audit/audit-policy.yaml"), "utf8")) as {
  apiVersion: string;
  kind: string;
  omitStages: string[];
  rules: PolicyRule[];
};

function levelOf(q: Req): Level {
  return policy.rules.find((r) => ruleMatches(r, q))?.level ?? "None";
}

test("the audit policy is an audit.k8s.io/v1 Policy with known levels", () => {
  assert.equal(policy.apiVersion, "audit.k8s.io/v1");
  assert.equal(policy.kind, "Policy");
  assert.deepEqual(policy.omitStages, ["RequestReceived"]);
  for (const r of policy.rules) assert.ok(LEVELS.includes(r.level), r.level);
  assert.equal(policy.rules.at(-1)?.level, "Metadata", "a catch-all ends the policy");
});

test("the audit policy records what the default rules read", () => {
  const atLeast = (q: Req, want: Level) => {
    const got = levelOf(q);
    assert.ok(LEVELS.indexOf(got) >= LEVELS.indexOf(want), `${JSON.stringify(q)}: ${got}, needs ${want}`);
  };
  // request bodies
  atLeast({ verb: "create", resource: "pods", namespace: "a" }, "RequestResponse");
  atLeast({ verb: "patch", resource: "pods", subresource: "ephemeralcontainers", namespace: "a" }, "Request");
  for (const resource of ["clusterroles", "roles", "clusterrolebindings", "rolebindings"]) {
    atLeast({ verb: "create", group: "rbac.authorization.k8s.io", resource }, "Request");
  }
  atLeast({ verb: "update", resource: "configmaps", namespace: "a" }, "Request");
  atLeast({ verb: "create", resource: "services", namespace: "a" }, "Request");
  // who did what
  atLeast({ verb: "create", resource: "pods", subresource: "exec", namespace: "a" }, "Metadata");
  atLeast({ verb: "get", resource: "pods", subresource: "exec", namespace: "a" }, "Metadata");
  atLeast({ verb: "list", resource: "secrets" }, "Metadata");
  atLeast({ verb: "create", resource: "namespaces", user: "system:anonymous" }, "Metadata");
  atLeast({ verb: "create", group: "apps", resource: "deployments", namespace: "kube-system" }, "Metadata");
  atLeast({ verb: "create", resource: "serviceaccounts", namespace: "kube-public" }, "Metadata");
});

test("the audit policy keeps secret values and read traffic out", () => {
  assert.equal(levelOf({ verb: "create", resource: "secrets", namespace: "a" }), "Metadata");
  assert.equal(levelOf({ verb: "get", resource: "configmaps", namespace: "a" }), "None");
  assert.equal(levelOf({ verb: "watch", resource: "pods" }), "None");
  assert.equal(
    levelOf({ verb: "update", group: "coordination.k8s.io", resource: "leases", namespace: "a" }),
    "None",
  );
  assert.equal(levelOf({ verb: "get", url: "/healthz" }), "None");
});

test("the webhook kubeconfig targets the webhook's default path over TLS", () => {
  const kc = parse(readFileSync(resolve(repoRoot, "deploy/k8s-audit/webhook-kubeconfig.yaml"), "utf8")) as {
    kind: string;
    clusters: { cluster: { server: string; "certificate-authority"?: string } }[];
    users: { user: { token?: string } }[];
    contexts: { name: string }[];
    "current-context": string;
  };
  assert.equal(kc.kind, "Config");
  const server = new URL(kc.clusters[0].cluster.server.replace("SAKER_ENDPOINT", "saker:9765"));
  assert.equal(server.protocol, "https:");
  assert.equal(server.pathname, "/k8s-audit");
  assert.ok(kc.clusters[0].cluster["certificate-authority"]);
  assert.ok(kc.users[0].user.token);
  assert.ok(kc.contexts.some((c) => c.name === kc["current-context"]));
});
