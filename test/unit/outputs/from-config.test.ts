// The channels a configuration builds, in Falco's order, with their keys applied.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../../src/config/index.js";
import { outputChannelsFromConfig } from "../../../src/outputs/from-config.js";
import { OutputQueue, reopenChannels } from "../../../src/outputs/queue.js";
import { jsonMessage } from "./helpers.js";

test("outputChannelsFromConfig builds the enabled channels; the file channel writes; reopenChannels is safe", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-cfg-"));
  try {
    const file = join(dir, "events.txt");
    const cfg = loadConfig({
      overrides: [
        "stdout_output.enabled=false",
        "syslog_output.enabled=true",
        "syslog_output.host=127.0.0.1",
        "syslog_output.protocol=tcp",
        "file_output.enabled=true",
        `file_output.filename=${file}`,
        "program_output.enabled=true",
        "program_output.program=cat",
        "http_output.enabled=true",
        "http_output.url=http://127.0.0.1:9/",
      ],
      env: {},
    });
    assert.ok(cfg.ok, JSON.stringify(cfg));
    if (!cfg.ok) return;
    assert.deepEqual(cfg.config.outputs.syslog, {
      enabled: true,
      host: "127.0.0.1",
      port: 514,
      protocol: "tcp",
    });
    const channels = outputChannelsFromConfig(cfg.config, () => undefined, { stdout: () => undefined });
    assert.deepEqual(
      channels.map((c) => c.name),
      ["syslog", "file", "program", "http"],
    );
    const q = new OutputQueue([channels[1]!]);
    q.push(jsonMessage(1));
    await q.flush();
    await reopenChannels(channels);
    q.push(jsonMessage(2));
    await q.close(2000);
    await Promise.all(channels.map((c) => c.close()));
    assert.equal(readFileSync(file, "utf8"), `${jsonMessage(1).line}\n${jsonMessage(2).line}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
