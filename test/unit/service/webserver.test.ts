// The webserver over real sockets on 127.0.0.1 (ephemeral ports): each endpoint's status, type and body,
// /metrics following the source, HTTPS with a self-signed PEM made by openssl, and start-up failures as
// stable codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, fetch } from "undici";
import { SakerMetrics } from "../../../src/service/metrics.js";
import { sakerVersions } from "../../../src/service/versions.js";
import { startWebserver, type Webserver, type WebserverDeps } from "../../../src/service/webserver.js";
import {
  FakeSource,
  fixedProcess,
  metricsConfig,
  parseExposition,
  sample,
  webserverConfig,
} from "./fixture.js";

function deps(source = new FakeSource(), logs: string[] = []): WebserverDeps {
  return {
    metrics: new SakerMetrics({
      config: metricsConfig(),
      source,
      hostname: "node-1",
      readProcess: async () => fixedProcess(),
    }),
    versions: sakerVersions(),
    log: (_level, message) => logs.push(message),
  };
}

async function started(config = webserverConfig(), d = deps()): Promise<Webserver> {
  const result = await startWebserver(config, d);
  if (!result.ok) assert.fail(`${result.error.code}: ${result.error.message}`);
  return result.server;
}

test("/healthz answers Falco's body", async () => {
  const server = await started();
  try {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(await res.text(), '{"status": "ok"}');
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: "ok" });
  } finally {
    await server.close();
  }
});

test("the healthz path follows k8s_healthz_endpoint; other paths are 404", async () => {
  const server = await started(webserverConfig({ k8sHealthzEndpoint: "/ready" }));
  try {
    assert.equal((await fetch(`${server.url}/ready`)).status, 200);
    const old = await fetch(`${server.url}/healthz`);
    assert.equal(old.status, 404);
    assert.equal(await old.text(), "Not Found");
    assert.equal((await fetch(`${server.url}/healthz`, { method: "POST" })).status, 404);
  } finally {
    await server.close();
  }
});

test("/versions carries Falco's keys, the engine version Saker implements, and engine saker", async () => {
  const server = await started();
  try {
    const res = await fetch(`${server.url}/versions`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const v = (await res.json()) as Record<string, string>;
    for (const key of [
      "falco_version",
      "libs_version",
      "plugin_api_version",
      "driver_api_version",
      "driver_schema_version",
      "default_driver_version",
      "engine_version",
      "engine_version_semver",
    ]) {
      assert.equal(typeof v[key], "string", key);
    }
    assert.equal(v.engine, "saker");
    assert.equal(v.engine_version_semver, "0.63.0");
    assert.equal(v.engine_version, "63");
    assert.equal(v.saker_version, "0.1.0");
    assert.equal("plugin_versions" in v, false, "no plugins, no key (as Falco)");
  } finally {
    await server.close();
  }
});

test("/metrics: Prometheus text whose counters follow the source", async () => {
  const source = new FakeSource();
  const server = await started(webserverConfig(), deps(source));
  try {
    const first = await fetch(`${server.url}/metrics`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const before = parseExposition(await first.text());
    assert.equal(sample(before, "falcosecurity_scap_n_evts_total")?.value, 0);

    source.syscall!.nEvts = 42;
    source.syscall!.nDrops = 2;
    source.snapshot_.rules = {
      matches: [{ rule: "Write below etc", priority: 3, source: "syscall", tags: ["filesystem"], count: 4 }],
    };
    const after = parseExposition(await (await fetch(`${server.url}/metrics`)).text());
    assert.equal(sample(after, "falcosecurity_scap_n_evts_total")?.value, 42);
    assert.equal(sample(after, "falcosecurity_scap_n_drops_total")?.value, 2);
    assert.deepEqual(sample(after, "falcosecurity_falco_rules_matches_total")?.labels, {
      priority: "3",
      rule_name: "Write below etc",
      source: "syscall",
      tag_filesystem: "true",
    });
  } finally {
    await server.close();
  }
});

test("/metrics is 404 when prometheus_metrics_enabled or metrics.enabled is off", async () => {
  const off = await started(webserverConfig({ prometheusMetricsEnabled: false }));
  const noMetrics = await started(webserverConfig(), { ...deps(), metrics: null });
  try {
    assert.equal((await fetch(`${off.url}/metrics`)).status, 404);
    assert.equal((await fetch(`${noMetrics.url}/metrics`)).status, 404);
    assert.equal((await fetch(`${noMetrics.url}/healthz`)).status, 200);
  } finally {
    await off.close();
    await noMetrics.close();
  }
});

test("a source that throws makes a 500 and a log line, and the server keeps serving", async () => {
  const logs: string[] = [];
  const source = new FakeSource();
  let broken = true;
  const original = source.snapshot.bind(source);
  source.snapshot = () => {
    if (broken) throw new Error("boom\nforged line");
    return original();
  };
  const server = await started(webserverConfig(), deps(source, logs));
  try {
    const res = await fetch(`${server.url}/metrics`);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "Internal Server Error");
    assert.equal(logs.length, 1);
    assert.ok(!logs[0]!.includes("\n"), "the error text is escaped in the log");
    broken = false;
    assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
  } finally {
    await server.close();
  }
});

test("port in use is SAKER_WEBSERVER_PORT_IN_USE; bad settings are SAKER_WEBSERVER_BAD_CONFIG", async () => {
  const first = await started();
  try {
    const second = await startWebserver(webserverConfig({ listenPort: first.port }), deps());
    assert.equal(second.ok, false);
    assert.equal(!second.ok && second.error.code, "SAKER_WEBSERVER_PORT_IN_USE");
    assert.match(!second.ok ? second.error.message : "", new RegExp(`127\\.0\\.0\\.1:${first.port}`));
    // The first server is untouched.
    assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
  } finally {
    await first.close();
  }
  for (const config of [
    webserverConfig({ k8sHealthzEndpoint: "healthz" }),
    webserverConfig({ k8sHealthzEndpoint: "/metrics" }),
    webserverConfig({ listenPort: 70000 }),
  ]) {
    const r = await startWebserver(config, deps());
    assert.equal(!r.ok && r.error.code, "SAKER_WEBSERVER_BAD_CONFIG");
  }
  const unbindable = await startWebserver(webserverConfig({ listenAddress: "192.0.2.1" }), deps());
  assert.equal(!unbindable.ok && unbindable.error.code, "SAKER_WEBSERVER_LISTEN");
});

test("close ends idle keep-alive connections instead of waiting for them", async () => {
  const server = await started();
  const agent = new Agent({ keepAliveTimeout: 60_000 });
  try {
    const res = await fetch(`${server.url}/healthz`, { dispatcher: agent });
    await res.text();
    const t0 = Date.now();
    await server.close();
    assert.ok(Date.now() - t0 < 2000, "close did not wait for the keep-alive client");
    await server.close(); // twice is harmless
  } finally {
    await agent.close();
  }
});

// ---------------------------------------------------------------------------------------------------
// TLS

interface Pems {
  readonly dir: string;
  /** key + certificate in one file, as ssl_certificate wants. */
  readonly combined: string;
  readonly cert: string;
  readonly certOnly: string;
  readonly mismatched: string;
}

function makePems(): Pems {
  const dir = mkdtempSync(join(tmpdir(), "saker-webserver-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const selfSigned = (name: string) =>
    run(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
    );
  selfSigned("a");
  selfSigned("b");
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  const write = (f: string, text: string) => {
    writeFileSync(join(dir, f), text);
    return join(dir, f);
  };
  return {
    dir,
    combined: write("falco.pem", read("a.key") + read("a.crt")),
    cert: read("a.crt"),
    certOnly: write("cert-only.pem", read("a.crt")),
    mismatched: write("mismatched.pem", read("b.key") + read("a.crt")),
  };
}

test("HTTPS with key and certificate from the one PEM file", async (t) => {
  let pems: Pems;
  try {
    pems = makePems();
  } catch (e) {
    t.skip(`openssl is not usable here: ${(e as Error).message}`);
    return;
  }
  const agent = new Agent({ connect: { ca: pems.cert } });
  try {
    const server = await started(webserverConfig({ sslEnabled: true, sslCertificate: pems.combined }));
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/healthz`, { dispatcher: agent });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), '{"status": "ok"}');
      const metrics = await fetch(`${server.url}/metrics`, { dispatcher: agent });
      assert.equal(metrics.status, 200);
      // A client that does not trust the certificate is refused at the handshake.
      await assert.rejects(fetch(`${server.url}/healthz`));
    } finally {
      await server.close();
    }

    const cases: [string, string][] = [
      [join(pems.dir, "missing.pem"), "SAKER_WEBSERVER_SSL_CERT_UNREADABLE"],
      ["", "SAKER_WEBSERVER_SSL_CERT_UNREADABLE"],
      [pems.certOnly, "SAKER_WEBSERVER_SSL_CERT_INVALID"],
      [pems.mismatched, "SAKER_WEBSERVER_SSL_CERT_INVALID"],
    ];
    const garbled = join(pems.dir, "garbled.pem");
    writeFileSync(
      garbled,
      readFileSync(pems.combined, "utf8").replace(/^([A-Za-z0-9+/]{20})/m, "!!!!not base64 at all!!!"),
    );
    cases.push([garbled, "SAKER_WEBSERVER_SSL_CERT_INVALID"]);
    for (const [path, code] of cases) {
      const r = await startWebserver(webserverConfig({ sslEnabled: true, sslCertificate: path }), deps());
      assert.equal(!r.ok && r.error.code, code, path);
    }
  } finally {
    await agent.close();
    rmSync(pems.dir, { recursive: true, force: true });
  }
});
