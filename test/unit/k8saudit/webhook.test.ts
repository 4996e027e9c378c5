// The audit webhook over real sockets: accepted payloads reach the detector, and every kind of bad input
// gets its 4xx and its counter without disturbing the clients that behave.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import { buildDetector } from "../../../src/engine/detector.js";
import { k8sAuditSource } from "../../../src/k8saudit/source.js";
import {
  AuditWebhook,
  BoundedQueue,
  LatencyHistogram,
  type AuditWebhookOptions,
} from "../../../src/k8saudit/webhook/index.js";
import { loadRules } from "../../../src/rules/loader/load.js";
import { corpusPath } from "../../support/paths.js";

const RULES = `
- rule: Exec into pod
  desc: d
  condition: ka.target.subresource in (exec, attach)
  output: "exec by %ka.user.name into %ka.target.name"
  priority: NOTICE
  source: k8s_audit
- rule: Configmap created
  desc: d
  condition: ka.verb = create and ka.target.resource = configmaps
  output: "configmap %ka.target.name"
  priority: INFO
  source: k8s_audit
`;

function detector() {
  const loaded = loadRules([{ name: "webhook-test.yaml", text: RULES }]);
  assert.ok(loaded.successful);
  const built = buildDetector(loaded.ruleset, k8sAuditSource, {
    alertConfig: { ...DEFAULT_ALERT_CONFIG, hostname: "test", jsonOutput: true },
  });
  assert.ok(built.ok);
  return built.detector;
}

const corpusEvent = (name: string): string => readFileSync(corpusPath("k8saudit", name), "utf8").trim();
const EXEC = corpusEvent("exec_pod.json");
const CONFIGMAP = corpusEvent("create_configmap.json");
const eventList = (...events: string[]): string =>
  `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[${events.join(",")}]}`;

async function withWebhook(
  extra: Partial<AuditWebhookOptions>,
  body: (hook: AuditWebhook, url: string, alerts: string[]) => Promise<void>,
): Promise<void> {
  const alerts: string[] = [];
  const hook = new AuditWebhook({
    detector: detector(),
    host: "127.0.0.1",
    port: 0,
    onAlert: (_a, text) => alerts.push(text),
    ...extra,
  });
  const { url } = await hook.start();
  try {
    await body(hook, url, alerts);
  } finally {
    await hook.stop();
  }
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = { "content-type": "application/json" },
  extra: { method?: string; agent?: Agent | false; tls?: { ca: string; cert?: string; key?: string } } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const options = {
      method: extra.method ?? "POST",
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      agent: extra.agent ?? false,
      ...(extra.tls ?? {}),
      servername: "localhost",
    };
    const req = (u.protocol === "https:" ? httpsRequest : httpRequest)(options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Write raw bytes on a fresh connection and collect what comes back until the server closes it. */
function raw(url: string, chunks: string[], pauseMs = 0): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const started = Date.now();
    const socket: Socket = connect(Number(u.port), u.hostname);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (c: string) => (text += c));
    socket.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" ? undefined : reject(e)));
    socket.on("close", () => resolve({ text, ms: Date.now() - started }));
    socket.on("connect", async () => {
      for (const c of chunks) {
        if (socket.destroyed) return;
        socket.write(c);
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  });
}

test("accepted events are evaluated and their alerts delivered", async () => {
  await withWebhook({}, async (hook, url, alerts) => {
    const one = await post(url, EXEC);
    assert.equal(one.status, 200, one.body);
    assert.deepEqual(JSON.parse(one.body), { accepted: 1, rejected: 0 });
    const list = await post(url, eventList(EXEC, CONFIGMAP, EXEC), {
      "content-type": "application/json; charset=utf-8",
    });
    assert.equal(list.status, 200);
    assert.deepEqual(JSON.parse(list.body), { accepted: 3, rejected: 0 });
    const array = await post(url, `[${EXEC},${eventList(CONFIGMAP)}]`);
    assert.equal(array.status, 200);
    await hook.idle();
    const s = hook.stats();
    assert.equal(s.acceptedRequests, 3);
    assert.equal(s.acceptedEvents, 6);
    assert.equal(s.evaluated, 6);
    assert.equal(s.alerts, 6);
    assert.equal(s.rejectedTotal, 0);
    assert.equal(s.latency.count, 6);
    assert.ok(s.latency.p99Ms >= s.latency.p50Ms && s.latency.p50Ms >= 0);
    const rules = alerts.map((a) => (JSON.parse(a) as { rule: string }).rule);
    assert.deepEqual(rules, [
      "Exec into pod",
      "Exec into pod",
      "Configmap created",
      "Exec into pod",
      "Exec into pod",
      "Configmap created",
    ]);
    assert.match(alerts[0], /"output":"[^"]*exec by minikube-user into nginx-deployment-7998647bdf-phvq7"/);
  });
});

test("bad payloads get a 400 with the parser's code, and are counted by it", async () => {
  await withWebhook({}, async (hook, url) => {
    const cases: [string, string][] = [
      ["{not json", "K8SAUDIT_JSON_SYNTAX"],
      ["", "K8SAUDIT_JSON_SYNTAX"],
      ['{"kind": 0}', "K8SAUDIT_NOT_AUDIT"],
      ['{"kind":"Pod","apiVersion":"v1"}', "K8SAUDIT_NOT_AUDIT"],
      [`[${EXEC}, 3]`, "K8SAUDIT_NOT_AUDIT"],
      ["[".repeat(400) + "]".repeat(400), "K8SAUDIT_JSON_TOO_DEEP"],
      ['{"kind":"Event","verb":"get"}', "SAKER_WEBHOOK_NO_EVENTS"],
    ];
    for (const [body, code] of cases) {
      const r = await post(url, body);
      assert.equal(r.status, 400, body.slice(0, 40));
      assert.equal((JSON.parse(r.body) as { code: string }).code, code, body.slice(0, 40));
    }
    // one good event and one without a timestamp: the good one is taken
    const mixed = await post(url, eventList(EXEC, '{"kind":"Event","verb":"get"}'));
    assert.equal(mixed.status, 200);
    assert.deepEqual(JSON.parse(mixed.body), { accepted: 1, rejected: 1 });
    await hook.idle();
    const s = hook.stats();
    assert.deepEqual(s.rejected, {
      K8SAUDIT_JSON_SYNTAX: 2,
      K8SAUDIT_NOT_AUDIT: 3,
      K8SAUDIT_JSON_TOO_DEEP: 1,
      SAKER_WEBHOOK_NO_EVENTS: 1,
    });
    assert.deepEqual(s.rejectedEvents, { K8SAUDIT_NO_TIMESTAMP: 2 });
    assert.equal(s.evaluated, 1);
    assert.equal(s.requests, cases.length + 1);
  });
});

test("HTTP-level refusals: method, path, content type and encoding, size", async () => {
  await withWebhook({ maxBodyBytes: 4096 }, async (hook, url) => {
    const expect = async (r: Promise<Reply>, status: number, code: string) => {
      const reply = await r;
      assert.equal(reply.status, status, `${code}: ${reply.body}`);
      if (reply.body !== "") assert.equal((JSON.parse(reply.body) as { code: string }).code, code);
    };
    await expect(post(url, "", {}, { method: "GET" }), 405, "SAKER_WEBHOOK_METHOD");
    await expect(post(url.replace("/k8s-audit", "/other"), EXEC), 404, "SAKER_WEBHOOK_NOT_FOUND");
    await expect(post(url, EXEC, { "content-type": "text/plain" }), 415, "SAKER_WEBHOOK_CONTENT_TYPE");
    await expect(post(url, EXEC, {}), 415, "SAKER_WEBHOOK_CONTENT_TYPE");
    await expect(
      post(url, EXEC, { "content-type": "application/json", "content-encoding": "gzip" }),
      415,
      "SAKER_WEBHOOK_CONTENT_ENCODING",
    );
    await expect(post(url, eventList(...Array(8).fill(EXEC))), 413, "SAKER_WEBHOOK_BODY_TOO_LARGE");
    // a chunked body (no Content-Length) over the limit is cut off while reading
    const chunked = await raw(url, [
      "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      `2000\r\n${"x".repeat(0x2000)}\r\n`,
      "0\r\n\r\n",
    ]);
    assert.match(chunked.text, /^HTTP\/1\.1 413 /);
    const s = hook.stats();
    assert.deepEqual(s.rejected, {
      SAKER_WEBHOOK_METHOD: 1,
      SAKER_WEBHOOK_NOT_FOUND: 1,
      SAKER_WEBHOOK_CONTENT_TYPE: 2,
      SAKER_WEBHOOK_CONTENT_ENCODING: 1,
      SAKER_WEBHOOK_BODY_TOO_LARGE: 2,
    });
    assert.equal(s.acceptedEvents, 0);
    // and the server still serves
    assert.equal((await post(url, EXEC)).status, 200);
  });
});

test("slow and half-open clients time out with 408 while others are served", async () => {
  await withWebhook(
    { headersTimeoutMs: 300, requestTimeoutMs: 600, timerCheckIntervalMs: 50 },
    async (hook, url) => {
      const slowHeaders = raw(url, ["POST /k8s-audit HTTP/1.1\r\n", "Host: x\r\n"], 100);
      const halfBody = raw(url, [
        "POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        EXEC.slice(0, 100),
      ]);
      const silent = raw(url, []);
      // meanwhile a well-behaved client gets its answers
      const agent = new Agent({ keepAlive: true });
      for (let i = 0; i < 5; i++) assert.equal((await post(url, EXEC, undefined, { agent })).status, 200);
      agent.destroy();
      const [a, b, c] = await Promise.all([slowHeaders, halfBody, silent]);
      assert.match(a.text, /^HTTP\/1\.1 408 /);
      assert.match(b.text, /^HTTP\/1\.1 408 /);
      assert.match(c.text, /^HTTP\/1\.1 408 /);
      for (const r of [a, b, c]) assert.ok(r.ms < 3000, `closed after ${r.ms} ms`);
      await hook.idle();
      const s = hook.stats();
      assert.equal(s.rejected.SAKER_WEBHOOK_TIMEOUT, 3, JSON.stringify(s.rejected));
      assert.equal(s.evaluated, 5);
    },
  );
});

test("malformed HTTP is refused with 400 and counted", async () => {
  await withWebhook({}, async (hook, url) => {
    const r = await raw(url, ["THIS IS NOT HTTP\r\n\r\n"]);
    assert.match(r.text, /^HTTP\/1\.1 400 /);
    const huge = await raw(url, [`POST /k8s-audit HTTP/1.1\r\nX-Big: ${"a".repeat(20000)}\r\n\r\n`]);
    assert.match(huge.text, /^HTTP\/1\.1 431 /);
    assert.equal(hook.stats().rejected.SAKER_WEBHOOK_BAD_HTTP, 2);
  });
});

test("a payload that does not fit the queue is refused whole with 429", async () => {
  await withWebhook({ queueCapacity: 2 }, async (hook, url) => {
    const r = await post(url, eventList(EXEC, EXEC, EXEC));
    assert.equal(r.status, 429);
    assert.equal(r.headers["retry-after"], "1");
    assert.equal((await post(url, eventList(EXEC, EXEC))).status, 200);
    await hook.idle();
    const s = hook.stats();
    assert.equal(s.rejected.SAKER_WEBHOOK_QUEUE_FULL, 1);
    assert.equal(s.rejectedEvents.SAKER_WEBHOOK_QUEUE_FULL, 3);
    assert.equal(s.evaluated, 2);
    assert.equal(s.queueHighWater, 2);
  });
});

test("bearer tokens: missing or wrong ones get 401 before the body is read", async () => {
  await withWebhook({ bearerTokens: ["s3cret-token", "other"] }, async (hook, url) => {
    const none = await post(url, EXEC);
    assert.equal(none.status, 401);
    assert.equal(none.headers["www-authenticate"], "Bearer");
    assert.equal(
      (await post(url, EXEC, { "content-type": "application/json", authorization: "Bearer nope" })).status,
      401,
    );
    assert.equal(
      (await post(url, EXEC, { "content-type": "application/json", authorization: "Basic s3cret-token" }))
        .status,
      401,
    );
    const ok = await post(url, EXEC, {
      "content-type": "application/json",
      authorization: "Bearer s3cret-token",
    });
    assert.equal(ok.status, 200);
    await hook.idle();
    assert.equal(hook.stats().rejected.SAKER_WEBHOOK_UNAUTHORIZED, 3);
    assert.equal(hook.stats().evaluated, 1);
  });
});

/** A CA, a server certificate for localhost and two client certificates, made with openssl. */
function makeCertificates(dir: string): Record<string, string> {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=saker-test-ca",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
  );
  const leaf = (name: string, cn: string, ext: string) => {
    run(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      `/CN=${cn}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
    );
    run(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-out",
      `${name}.crt`,
      "-extfile",
      ext,
    );
  };
  execFileSync("sh", ["-c", 'printf "subjectAltName=DNS:localhost,IP:127.0.0.1\\n" > server.ext'], {
    cwd: dir,
  });
  execFileSync("sh", ["-c", 'printf "extendedKeyUsage=clientAuth\\n" > client.ext'], { cwd: dir });
  leaf("server", "localhost", "server.ext");
  leaf("apiserver", "kube-apiserver", "client.ext");
  leaf("intruder", "intruder", "client.ext");
  const out: Record<string, string> = {};
  for (const f of [
    "ca.crt",
    "server.key",
    "server.crt",
    "apiserver.key",
    "apiserver.crt",
    "intruder.key",
    "intruder.crt",
  ]) {
    out[f] = readFileSync(join(dir, f), "utf8");
  }
  return out;
}

test("TLS with client certificates: only the allowed client gets through", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "saker-webhook-tls-"));
  let pem: Record<string, string>;
  try {
    pem = makeCertificates(dir);
  } catch (e) {
    t.skip(`openssl is not usable here: ${(e as Error).message}`);
    return;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const tls = {
    key: pem["server.key"],
    cert: pem["server.crt"],
    ca: pem["ca.crt"],
    requireClientCert: true,
    allowedClientNames: ["kube-apiserver"],
  };
  await withWebhook({ tls }, async (hook, url) => {
    assert.match(url, /^https:/);
    const ca = pem["ca.crt"];
    assert.equal((await post(url, EXEC, undefined, { tls: { ca } })).status, 401);
    const intruder = { ca, cert: pem["intruder.crt"], key: pem["intruder.key"] };
    assert.equal((await post(url, EXEC, undefined, { tls: intruder })).status, 401);
    const apiserver = { ca, cert: pem["apiserver.crt"], key: pem["apiserver.key"] };
    assert.equal((await post(url, EXEC, undefined, { tls: apiserver })).status, 200);
    await hook.idle();
    assert.equal(hook.stats().rejected.SAKER_WEBHOOK_UNAUTHORIZED, 2);
    assert.equal(hook.stats().evaluated, 1);
  });
});

test("stop() closes connections and still evaluates what was accepted", async () => {
  const hook = new AuditWebhook({ detector: detector(), host: "127.0.0.1", port: 0 });
  const { url, port } = await hook.start();
  assert.ok(port > 0);
  assert.equal((await post(url, eventList(...Array(50).fill(CONFIGMAP)))).status, 200);
  await hook.stop();
  const s = hook.stats();
  assert.equal(s.evaluated, 50);
  assert.equal(s.alerts, 50);
  assert.equal(s.queueDepth, 0);
  await assert.rejects(post(url, EXEC), /ECONNREFUSED/);
});

test("option checks", () => {
  assert.throws(() => new AuditWebhook({ detector: detector(), path: "k8s-audit" }), RangeError);
  assert.throws(
    () => new AuditWebhook({ detector: detector(), tls: { key: "k", cert: "c", requireClientCert: true } }),
    /needs a CA/,
  );
});

test("bounded queue keeps order, refuses when full, and reports its high water", () => {
  const q = new BoundedQueue<string>(3);
  assert.ok(q.push("a", 1) && q.push("b", 2) && q.push("c", 3));
  assert.equal(q.push("d", 4), false);
  const seen: [string, number][] = [];
  assert.ok(q.shift((x, t) => seen.push([x, t])));
  assert.ok(q.push("d", 4));
  while (q.shift((x, t) => seen.push([x, t])));
  assert.deepEqual(seen, [
    ["a", 1],
    ["b", 2],
    ["c", 3],
    ["d", 4],
  ]);
  assert.equal(q.highWater, 3);
  assert.throws(() => new BoundedQueue(0), RangeError);
});

test("latency histogram quantiles are within a bucket of the truth", () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 .. 100 ms
  const p50 = h.quantile(0.5);
  const p99 = h.quantile(0.99);
  assert.ok(Math.abs(p50 - 50) / 50 < 0.07, `p50 ${p50}`);
  assert.ok(Math.abs(p99 - 99) / 99 < 0.07, `p99 ${p99}`);
  assert.equal(h.maxMs, 100);
  assert.equal(new LatencyHistogram().quantile(0.5), 0);
});
