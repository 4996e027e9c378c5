// The corpus audit files (Falco's own test inputs): each parses into events or, for the one that is
// deliberately not an audit event, gives a clean NOT_AUDIT error; and fields read real events as the
// plugin does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { parseAuditJsonLines, type AuditEvent } from "../../../src/k8saudit/event.js";
import { corpusPath, requireCorpus } from "../../support/paths.js";
import { extract } from "./fixture.js";

requireCorpus();
const dir = corpusPath("k8saudit");

function eventsOf(file: string): AuditEvent[] {
  const events: AuditEvent[] = [];
  for (const { line, result } of parseAuditJsonLines(readFileSync(`${dir}/${file}`))) {
    assert.ok(result.ok, `${file}:${line}: ${result.ok ? "" : result.error.code}`);
    assert.deepEqual(result.eventErrors, [], `${file}:${line}`);
    events.push(...result.events);
  }
  return events;
}

test("every corpus audit file parses, except the one that is not an audit event", () => {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  assert.ok(files.length >= 60, `found ${files.length} files`);
  let events = 0;
  for (const file of files) {
    if (file === "fal_01_003.json") {
      const out = [...parseAuditJsonLines(readFileSync(`${dir}/${file}`))];
      assert.equal(out.length, 1);
      assert.ok(!out[0].result.ok);
      assert.equal(out[0].result.error.code, "K8SAUDIT_NOT_AUDIT");
      assert.equal(out[0].result.error.message, "data not recognized as a k8s audit event");
      continue;
    }
    const evs = eventsOf(file);
    assert.ok(evs.length >= 1, file);
    for (const ev of evs) assert.ok(ev.hasAuditId, file);
    events += evs.length;
  }
  console.log(`# ${files.length} corpus audit files, ${events} events`);
});

test("fields of real events", () => {
  const rows: [file: string, field: string, expected: unknown][] = [
    [
      "create_nginx_pod_sensitive_mount_2nd_container.json",
      "ka.req.pod.containers.image",
      ["nginx", "mysql:latest"],
    ],
    [
      "create_nginx_pod_sensitive_mount_2nd_container.json",
      "ka.req.pod.containers.image.repository",
      ["nginx", "mysql"],
    ],
    ["create_nginx_pod_sensitive_mount_2nd_container.json", "ka.req.pod.volumes.hostpath", ["/etc"]],
    ["create_nginx_pod_sensitive_mount_2nd_container.json", "ka.req.volume.hostpath[/etc]", "true"],
    ["create_nginx_pod_sensitive_mount_2nd_container.json", "ka.req.container.image", "nginx"],
    [
      "create_nginx_pod_sensitive_mount_2nd_container.json",
      "ka.target.pod.name",
      "nginx-deployment-f7f486546-hzhsw",
    ],
    [
      "create_nginx_pod_sensitive_mount_2nd_container.json",
      "jevt.value[/requestObject/spec/volumes]",
      '[{"hostPath":{"path":"/etc","type":""},"name":"etc"}]',
    ],
    ["create_nginx_pod_sensitive_mount_2nd_container.json", "jevt.rawtime", "1540490118926631000"],
    ["create_nginx_pod_privileged.json", "ka.req.pod.containers.privileged", ["true"]],
    ["create_nginx_pod_privileged.json", "ka.req.container.privileged", "true"],
    ["create_nginx_pod_unprivileged.json", "ka.req.pod.containers.privileged", undefined],
    ["create_nginx_pod_unprivileged.json", "ka.req.container.privileged", "false"],
    [
      "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json",
      "ka.req.pod.containers.privileged",
      ["true"],
    ],
    [
      "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json",
      "ka.req.pod.containers.privileged[0]",
      undefined,
    ],
    ["create_nginx_pod_hostnetwork.json", "ka.req.pod.host_network", "true"],
    ["create_nginx_pod_nohostnetwork.json", "ka.req.pod.host_network", undefined],
    ["exec_pod.json", "ka.target.subresource", "exec"],
    ["exec_pod.json", "ka.uri.param[command]", "bash"],
    ["exec_pod.json", "ka.uri.param[container]", "nginx1"],
    ["attach_cluster_admin_role.json", "ka.req.binding.role", "cluster-admin"],
    ["attach_cluster_admin_role.json", "ka.req.binding.subjects.user_names", ["minikube"]],
    ["create_cluster_role_wildcard_resources.json", "ka.req.role.rules.resources", ["*"]],
    ["create_cluster_role_wildcard_resources.json", "ka.req.role.rules.verbs", ["get", "list", "get"]],
    ["create_nginx_service_nodeport.json", "ka.req.service.type", "NodePort"],
    ["create_configmap.json", "ka.req.configmap.name", "my-config"],
    ["anonymous_creates_namespace_foo.json", "ka.user.name", "system:anonymous"],
    ["anonymous_creates_namespace_foo.json", "jevt.value[/stage]", "ResponseComplete"],
    ["create_kube_system_secret.json", "ka.target.namespace", "kube-system"],
    ["psp_capability_add_sys_nice.json", "ka.req.pod.containers.add_capabilities", ['["SYS_NICE"]']],
    ["psp_host_network_ports.json", "ka.req.pod.containers.host_port", ["1234"]],
    ["psp_flex_volumes.json", "ka.req.pod.volumes.flexvolume_driver", ["dummy/dummy"]],
    ["psp_flex_volumes.json", "ka.req.pod.volumes.volume_type", ["flexVolume"]],
    ["psp_supplemental_groups_10_20.json", "ka.req.pod.supplemental_groups", ["10", "20"]],
    ["psp_run_as_user_1000_sec_ctx_30_container.json", "ka.req.pod.run_as_user", "1000"],
    ["psp_run_as_user_1000_sec_ctx_30_container.json", "ka.req.pod.containers.run_as_user", ["30"]],
  ];
  const cache = new Map<string, AuditEvent>();
  for (const [file, field, expected] of rows) {
    let ev = cache.get(file);
    if (ev === undefined) {
      ev = eventsOf(file)[0];
      cache.set(file, ev);
    }
    assert.deepEqual(extract(ev, field), expected, `${file}: ${field}`);
  }
});

test("the configmap rule's text search sees the data as JSON", () => {
  const ev = eventsOf("create_configmap.json")[0];
  const obj = extract(ev, "ka.req.configmap.obj");
  assert.equal(typeof obj, "string");
  assert.ok((obj as string).startsWith("{") && (obj as string).includes("ui.properties"));
});
