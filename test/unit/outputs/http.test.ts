// http_output against a local HTTPS server that requires a client certificate (certificates made by
// openssl in a temp folder), and against an endpoint that is down for a while.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_ALERT_CONFIG } from "../../../src/alerts/alert.js";
import { HttpChannel } from "../../../src/outputs/http.js";
import { OutputQueue } from "../../../src/outputs/queue.js";
import { httpFaultScenario, jsonMessage, readBody, stopServer, waitFor, type Received } from "./helpers.js";

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCerts(dir: string): void {
  const ossl = (...args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ossl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=saker test CA",
  );
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\n");
  for (const who of ["server", "client"]) {
    ossl("req", ...ec, "-keyout", `${who}.key`, "-out", `${who}.csr`, "-subj", `/CN=saker ${who}`);
    ossl(
      "x509",
      "-req",
      "-in",
      `${who}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${who}.crt`,
      "-days",
      "2",
      ...(who === "server" ? ["-extfile", "server.ext"] : []),
    );
  }
}

async function startMtlsServer(dir: string): Promise<{ server: Server; port: number; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer(
    {
      key: readFileSync(join(dir, "server.key")),
      cert: readFileSync(join(dir, "server.crt")),
      ca: readFileSync(join(dir, "ca.crt")),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      void readBody(req).then((body) => {
        got.push({ path: req.url ?? "", headers: req.headers, body });
        res.end('{"ok":true}');
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { server, port: (server.address() as AddressInfo).port, got };
}

test("https with mTLS: JSON alerts arrive, with the user agent and gzip; without the client certificate they are refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-https-"));
  try {
    makeCerts(dir);
    const srv = await startMtlsServer(dir);
    try {
      const base = {
        url: `https://127.0.0.1:${srv.port}/falco`,
        userAgent: "saker-test/1.0",
        caCert: join(dir, "ca.crt"),
        clientCert: join(dir, "client.crt"),
        clientKey: join(dir, "client.key"),
        // json_output on: the body is the JSON alert, as application/json (Falco's outputs_http).
        alertConfig: { ...DEFAULT_ALERT_CONFIG, jsonOutput: true },
      };
      const echoed: string[] = [];
      const plain = new HttpChannel({
        ...base,
        mtls: true,
        echo: true,
        stdout: (t) => echoed.push(t),
        name: "plain",
      });
      const gz = new HttpChannel({
        ...base,
        mtls: true,
        compressUploads: true,
        keepAlive: true,
        name: "gzip",
      });
      const q = new OutputQueue([plain, gz]);
      const alerts = [0, 1, 2].map((i) => jsonMessage(i));
      for (const a of alerts) q.push(a);
      await q.close(10_000);
      assert.equal(srv.got.length, 6);
      const bodies = (enc: string | undefined): unknown[] =>
        srv.got.filter((r) => r.headers["content-encoding"] === enc).map((r) => JSON.parse(r.body));
      for (const enc of [undefined, "gzip"]) {
        assert.deepEqual(
          bodies(enc),
          alerts.map((a) => JSON.parse(a.line) as unknown),
        );
      }
      for (const r of srv.got) {
        assert.equal(r.path, "/falco");
        assert.equal(r.headers["user-agent"], "saker-test/1.0");
        assert.equal(r.headers["content-type"], "application/json");
      }
      assert.deepEqual(echoed, ['{"ok":true}\n', '{"ok":true}\n', '{"ok":true}\n']);
      assert.equal(plain.accepted + gz.accepted, 6);

      // No client certificate: the server refuses the handshake; retried, counted, logged once, and the
      // queue bound holds.
      const logs: string[] = [];
      const nocert = new HttpChannel({
        ...base,
        mtls: false,
        maxBackoffMs: 50,
        log: (_l, m) => logs.push(m),
      });
      const q2 = new OutputQueue([nocert], { capacity: 5 });
      for (let i = 0; i < 20; i++) q2.push(jsonMessage(i));
      await waitFor(() => nocert.errors >= 3, 5000, "refused attempts");
      const s = await q2.close(200);
      assert.equal(srv.got.length, 6, "nothing more arrived");
      assert.equal(nocert.accepted, 0);
      assert.equal(nocert.lastError?.code, "SAKER_OUTPUT_HTTP_REQUEST");
      assert.equal(logs.filter((l) => l.includes("SAKER_OUTPUT_HTTP_REQUEST")).length, 1);
      assert.equal(s.channels[0]!.dropped, 15);
      assert.ok(s.channels[0]!.errors >= 3);
    } finally {
      await stopServer(srv.server as unknown as import("node:http").Server);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("endpoint down for a while: queued alerts up to capacity arrive in order, the excess dropped for http only", async () => {
  const capacity = 40;
  const r = await httpFaultScenario(2000, capacity, 200);
  assert.deepEqual(
    r.arrived,
    Array.from({ length: capacity }, (_, i) => i),
  );
  assert.equal(r.http.dropped, r.pushed - capacity);
  assert.ok(r.http.errors > 0, "failed attempts were counted");
  assert.equal(r.mem.dropped, 0);
  assert.deepEqual(
    r.memory,
    Array.from({ length: r.pushed }, (_, i) => i),
  );
  assert.ok(r.logs.some((l) => l.includes("SAKER_OUTPUT_HTTP_REQUEST")));
});

test("a bad URL is a logged, coded error; the channel counts what it cannot send", async () => {
  const logs: string[] = [];
  const ch = new HttpChannel({
    url: "ftp://x/",
    alertConfig: DEFAULT_ALERT_CONFIG,
    log: (_l, m) => logs.push(m),
  });
  assert.equal(ch.lastError?.code, "SAKER_OUTPUT_HTTP_URL");
  const q = new OutputQueue([ch]);
  q.push(jsonMessage(0));
  await q.close(1000);
  assert.equal(ch.rejected, 1);
  assert.equal(logs.length, 1);
});

test("json_output off: the text line is posted as text/plain, as Falco's http output does", async () => {
  const got: Received[] = [];
  const server = createHttpServer((req, res) => {
    void readBody(req).then((body) => {
      got.push({ path: req.url ?? "", headers: req.headers, body });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  try {
    const port = (server.address() as AddressInfo).port;
    const ch = new HttpChannel({ url: `http://127.0.0.1:${port}/t`, alertConfig: DEFAULT_ALERT_CONFIG });
    const q = new OutputQueue([ch]);
    const text = { ...jsonMessage(7), line: "2024-01-01T00:00:00.000000000+0000: Warning alert number 7" };
    q.push(text);
    await q.close(5000);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.headers["content-type"], "text/plain");
    assert.equal(got[0]!.body, text.line);
  } finally {
    await stopServer(server);
  }
});
