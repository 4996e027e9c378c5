// syslog_output against a real rsyslogd (Debian's rsyslog), with its own configuration in a temp folder:
// the local transport (a unix datagram socket, as /dev/log is, read by imuxsock) and remote TCP (imtcp).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OutputQueue } from "../../../src/outputs/queue.js";
import { SyslogChannel } from "../../../src/outputs/syslog.js";
import { jsonMessage, waitFor } from "./helpers.js";

interface Rsyslog {
  readonly dir: string;
  readonly socket: string;
  readonly tcpPort: number;
  readonly out: string;
  readonly proc: ChildProcess;
}

async function startRsyslog(): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), "saker-rsyslog-"));
  const socket = join(dir, "log.sock");
  const out = join(dir, "messages.log");
  const conf = join(dir, "rsyslog.conf");
  writeFileSync(
    conf,
    [
      `global(workDirectory="${dir}")`,
      `module(load="imuxsock" SysSock.Use="off")`,
      `input(type="imuxsock" Socket="${socket}")`,
      `module(load="imtcp")`,
      `input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="${join(dir, "tcp.port")}")`,
      `template(name="t" type="string" string="%syslogfacility-text%.%syslogseverity-text% %syslogtag%%msg:::sp-if-no-1st-sp%%msg%\\n")`,
      `*.* action(type="omfile" file="${out}" template="t")`,
      "",
    ].join("\n"),
  );
  const proc = spawn("rsyslogd", ["-f", conf, "-i", join(dir, "rsyslogd.pid"), "-n"], { stdio: "ignore" });
  await waitFor(() => existsSync(socket) && existsSync(join(dir, "tcp.port")), 10_000, "rsyslogd to listen");
  const tcpPort = Number(readFileSync(join(dir, "tcp.port"), "utf8").trim());
  return { dir, socket, tcpPort, out, proc };
}

async function stopRsyslog(r: Rsyslog): Promise<void> {
  const gone = new Promise((resolve) => r.proc.once("exit", resolve));
  r.proc.kill("SIGTERM");
  await gone;
  rmSync(r.dir, { recursive: true, force: true });
}

const lines = (path: string): string[] =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [];

test("syslog: local socket and remote TCP reach rsyslogd with facility user and the alert's severity", async () => {
  const r = await startRsyslog();
  try {
    const logs: string[] = [];
    const local = new SyslogChannel({
      socketPath: r.socket,
      log: (_l, m) => logs.push(m),
      name: "syslog-local",
    });
    const tcp = new SyslogChannel({
      host: "127.0.0.1",
      port: r.tcpPort,
      protocol: "tcp",
      name: "syslog-tcp",
    });
    const q = new OutputQueue([local, tcp]);
    // Priorities: Critical (2), Warning (4), Debug (7).
    const sent = [
      jsonMessage(0, 2, "local crit"),
      jsonMessage(1, 4, "local warn"),
      jsonMessage(2, 7, "local debug"),
    ];
    for (const m of sent) q.push(m);
    await q.close(5000);
    const want = ["user.crit", "user.warning", "user.debug"].map((p, i) => `${p} falco: ${sent[i]!.line}`);
    await waitFor(() => lines(r.out).length >= 6, 10_000, "six messages in rsyslog's file");
    const got = lines(r.out);
    assert.deepEqual([...got].sort(), [...want, ...want].sort());
    assert.equal(local.errors + tcp.errors, 0);
    assert.deepEqual(logs, []);
  } finally {
    await stopRsyslog(r);
  }
});

test("syslog: a missing local socket is logged with its code and counted, not fatal", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saker-nosyslog-"));
  try {
    const logs: string[] = [];
    const ch = new SyslogChannel({ socketPath: join(dir, "absent.sock"), log: (_l, m) => logs.push(m) });
    const q = new OutputQueue([ch]);
    q.push(jsonMessage(0));
    await q.flush();
    await waitFor(() => ch.lastError !== null, 5000, "the failure to be seen");
    assert.equal(ch.lastError?.code, "SAKER_OUTPUT_SYSLOG");
    q.push(jsonMessage(1)); // within the retry delay: counted, no new process
    await q.flush();
    assert.ok(ch.errors >= 1);
    assert.equal(logs.length, 1);
    await q.close(2000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
