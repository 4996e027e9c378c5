// program_output: Falco's Slack recipe, as its docs write it (jq | curl), reaching a local webhook.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProgramChannel } from "../../../src/outputs/program.js";
import { OutputQueue } from "../../../src/outputs/queue.js";
import { jsonMessage, startReceiver, stopServer, waitFor } from "./helpers.js";

/** The JSON values of a body: curl -d strips the newlines jq prints, so objects may follow each other. */
function jsonValues(body: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) out.push(JSON.parse(body.slice(start, i + 1)));
  }
  return out;
}

for (const keepAlive of [false, true]) {
  test(`the Slack recipe (jq '{text: .output}' | curl), keep_alive ${keepAlive}`, async () => {
    const hook = await startReceiver();
    try {
      const program = `jq '{text: .output}' | curl -d @- -X POST http://127.0.0.1:${hook.port}/services/XXX`;
      const curlOut: string[] = [];
      const logs: string[] = [];
      const ch = new ProgramChannel({
        program,
        keepAlive,
        stdout: (t) => curlOut.push(t),
        log: (_l, m) => logs.push(m),
      });
      const q = new OutputQueue([ch]);
      // An alert carrying shell metacharacters: it travels on stdin only, never through the shell.
      const alerts = [
        jsonMessage(0),
        jsonMessage(1, 2, 'evil $(touch /tmp/pwned) `id` ; rm -rf / "q"'),
        jsonMessage(2),
      ];
      for (const a of alerts) q.push(a);
      await q.close(15_000);
      await waitFor(() => hook.got.length > 0, 5000, "the webhook call");
      const texts = hook.got.flatMap((r) => jsonValues(r.body));
      assert.deepEqual(
        texts,
        alerts.map((a) => ({ text: (JSON.parse(a.line) as { output: string }).output })),
      );
      for (const r of hook.got) {
        assert.equal(r.path, "/services/XXX");
        assert.equal(r.headers["content-type"], "application/x-www-form-urlencoded"); // curl -d
      }
      // keep_alive false: one process (one POST) per alert; true: one program, one POST at close.
      assert.equal(hook.got.length, keepAlive ? 1 : 3);
      assert.equal(curlOut.join(""), "ok\n".repeat(hook.got.length));
      assert.equal(ch.errors, 0);
      assert.deepEqual(logs, []);
    } finally {
      await stopServer(hook.server);
    }
  });
}

test("a program that fails is logged (with its code) and counted, never fatal; reopen() respawns", async () => {
  const logs: string[] = [];
  const ch = new ProgramChannel({ program: "exit 3", keepAlive: false, log: (_l, m) => logs.push(m) });
  const q = new OutputQueue([ch]);
  for (let i = 0; i < 3; i++) q.push(jsonMessage(i));
  await q.flush();
  assert.equal(ch.errors, 3);
  assert.equal(ch.lastError?.code, "SAKER_OUTPUT_PROGRAM");
  assert.equal(logs.length, 1, "one line per failure streak");
  assert.match(logs[0]!, /exited with status 3/);
  await q.close(1000);

  const lines: string[] = [];
  const cat = new ProgramChannel({ program: "cat", keepAlive: true, stdout: (t) => lines.push(t) });
  const q2 = new OutputQueue([cat]);
  q2.push(jsonMessage(0));
  await q2.flush();
  await cat.reopen();
  q2.push(jsonMessage(1));
  await q2.close(5000);
  assert.equal(lines.join(""), jsonMessage(0).line + "\n" + jsonMessage(1).line + "\n");
});
