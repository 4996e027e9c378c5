// Hand-written audit events for the k8saudit tests, and a helper to extract a field the way the engine
// does (resolve the reference text in the catalogue, plan the extractor, call it).
import assert from "node:assert/strict";
import type { FieldValue } from "../../../src/engine/source.js";
import { parseAuditPayload, type AuditEvent } from "../../../src/k8saudit/event.js";
import { k8sAuditSource } from "../../../src/k8saudit/source.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A pod creation with most of what the ka.* fields read. */
export function podEvent(): { [k: string]: Json } {
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "RequestResponse",
    auditID: "4c1a5d8e-0000-4000-8000-000000000001",
    stage: "ResponseComplete",
    requestURI: "/api/v1/namespaces/default/pods?dryRun=All&x=1&x=2&q=a%20b+c",
    verb: "create",
    user: { username: "alice", groups: ["system:authenticated", "devs"] },
    impersonatedUser: { username: "bob" },
    sourceIPs: ["10.0.0.1"],
    userAgent: "kubectl/v1.28.0",
    objectRef: { resource: "pods", namespace: "default", name: "web", apiVersion: "v1" },
    responseStatus: { metadata: {}, code: 201 },
    requestObject: {
      kind: "Pod",
      metadata: { name: "web" },
      spec: {
        hostNetwork: true,
        hostPID: false,
        securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [1, 2] },
        containers: [
          {
            name: "app",
            image: "registry.io:5000/team/app:1.2@sha256:abc",
            command: ["sh", "-c"],
            args: ["echo", "hi"],
            ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 443 }],
            securityContext: {
              privileged: true,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsUser: 0,
              runAsGroup: 0,
              procMount: "Unmasked",
              capabilities: { add: ["NET_ADMIN", "SYS_TIME"] },
            },
          },
          { name: "side", image: "busybox" },
        ],
        initContainers: [{ name: "init", image: "alpine:3.19", securityContext: { privileged: false } }],
        ephemeralContainers: [{ name: "dbg", image: "nicolaka/netshoot@sha256:ff" }],
        volumes: [
          { name: "root", hostPath: { path: "/", type: "" } },
          { name: "cfg", configMap: { name: "c" } },
          { name: "sock", hostPath: { path: "/var/run/docker.sock" } },
          { name: "flex", flexVolume: { driver: "vendor/drv" } },
        ],
      },
    },
    responseObject: { kind: "Pod", metadata: { name: "web-7d4b9" } },
    annotations: {
      "authorization.k8s.io/decision": "allow",
      "authorization.k8s.io/reason": 'RBAC: allowed by ClusterRoleBinding "admin"',
      "authentication.openshift.io/decision": "allow",
      "authentication.openshift.io/username": "oc-user",
      "validation.policy.admission.k8s.io/validation_failure": "[{}]",
      "pod-security.kubernetes.io/audit-violations": "privileged",
      cluster_name: "prod-eu",
    },
    requestReceivedTimestamp: "2024-05-06T07:08:09.000000Z",
    stageTimestamp: "2024-05-06T07:08:09.123456789Z",
  };
}

/** A binding creation, for the ka.req.binding.* fields. */
export function bindingEvent(): { [k: string]: Json } {
  return {
    kind: "Event",
    auditID: "b1",
    verb: "create",
    objectRef: { resource: "clusterrolebindings", name: "rb" },
    requestObject: {
      kind: "ClusterRoleBinding",
      roleRef: { kind: "ClusterRole", name: "cluster-admin" },
      subjects: [
        { kind: "User", name: "u1" },
        { kind: "ServiceAccount", name: "sa1", namespace: "ns1" },
        { kind: "ServiceAccount", name: "sa2" },
        { kind: "Group", name: "g1" },
        { kind: "User" },
        "not-an-object",
      ],
    },
    stageTimestamp: "2024-01-01T00:00:00Z",
  };
}

/** A cluster role creation, for the ka.req.role.* fields. */
export function roleEvent(): { [k: string]: Json } {
  return {
    kind: "Event",
    auditID: "r1",
    objectRef: { resource: "clusterroles", name: "r" },
    requestObject: {
      kind: "ClusterRole",
      rules: [
        { apiGroups: [""], resources: ["pods", "secrets"], verbs: ["get", "list"] },
        { nonResourceURLs: ["/healthz"], verbs: ["*"], sourceIPs: ["192.0.2.1"] },
      ],
    },
    stageTimestamp: "2024-01-01T00:00:00Z",
  };
}

/** Parse one hand-written event (must succeed). */
export function eventOf(obj: Json): AuditEvent {
  const res = parseAuditPayload(JSON.stringify(obj));
  assert.ok(res.ok, `fixture does not parse: ${JSON.stringify(res)}`);
  assert.equal(
    res.events.length,
    1,
    `fixture gives ${res.events.length} events: ${JSON.stringify(res.eventErrors)}`,
  );
  return res.events[0];
}

/** An event built from a fixture after `edit` changed it. */
export function edited(
  base: () => { [k: string]: Json },
  edit: (e: { [k: string]: Json }) => void,
): AuditEvent {
  const e = base();
  edit(e);
  return eventOf(e);
}

/** Resolve `ref` (e.g. "ka.req.pod.containers.image[0]") and extract it from `ev`. */
export function extract(ev: AuditEvent, ref: string): FieldValue {
  const r = k8sAuditSource.catalogue.resolve(ref, undefined);
  assert.ok(r.ok, `${ref} does not resolve: ${JSON.stringify(r)}`);
  return k8sAuditSource.extractor(r.field)(ev);
}

/** Extract and render, as an output would print it. */
export function rendered(ev: AuditEvent, ref: string): string {
  const r = k8sAuditSource.catalogue.resolve(ref, undefined);
  assert.ok(r.ok, `${ref} does not resolve`);
  return k8sAuditSource.render(r.field, k8sAuditSource.extractor(r.field)(ev));
}

/** Values comparable with deepEqual (bigints as strings). */
export function plain(v: FieldValue): unknown {
  return typeof v === "bigint" ? `${v}n` : v;
}
