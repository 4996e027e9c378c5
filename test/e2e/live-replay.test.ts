// A live capture is a faithful record: on this host (root, x86_64, a kernel with BTF; skipped otherwise)
// `saker capture -w FILE` records while the test performs real attacker-like actions, and at the same
// time two live agents (`saker run`, one with Saker's default rules, one with the three upstream rules
// files) watch the same actions. Then:
//   - sysdig 0.29.3 reads the file to its end and counts, type by type, the events Saker reads from it;
//   - `saker replay FILE` with each ruleset raises exactly the alerts the live agent raised for those
//     actions: same rules, same fields (times excepted).
//
// Why running all three at once is deterministic for what is compared: the actions start only once all
// three have attached and read /proc, and only alerts carrying the test's marker (its directory or id)
// are compared, so the moment each process started (and what else runs on the host) does not matter.
// Each process has its own probe instance, so the same syscall gets timestamps a few microseconds
// apart in the live agent and in the file: times are left out of the comparison.
//
// sysdig 0.29.3 (libs of March 2022) knows 329 syscall ids and indexes its table with a generic event's
// id unchecked: a generic event of a newer syscall (rseq, which glibc calls at every process start;
// statx ...) reads past the table and usually crashes it. `saker capture` therefore writes such events
// with id 0 (their native number kept); the compared capture also filters them out, because sysdig and
// Saker name an id-0 generic event differently. The unfiltered capture must open in sysdig all the same,
// with every event (and with --keep-new-syscall-ids, as captured, for newer readers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EVENT_TABLE_NAMES } from "../../src/capture/events/names.js";
import { LEGACY_EVENT_MAX } from "../../src/capture/events/render/legacy.js";
import { SYSCALL_NAMES, eventInfo, isGenericEvent, syscallName } from "../../src/capture/events/table.js";
import { readScapFile } from "../../src/capture/scap/reader.js";
import { SYSDIG_0_29_SYSCALL_IDS } from "../../src/cli/commands/capture.js";
import { repoRoot } from "../support/paths.js";
import { bash, sleep } from "../support/run-child.js";
import { UPSTREAM_SYSCALL_RULES, liveSkipReason } from "../support/live.js";

const skip = liveSkipReason();
const MAIN = resolve(repoRoot, "dist/src/cli/main.js");
const UPSTREAM = UPSTREAM_SYSCALL_RULES;
/** The syscall ids sysdig 0.29.3's table has (PPM_SC_MAX of its libs); ids are a prefix of today's. */
const SYSDIG_0_29_SC_MAX = SYSDIG_0_29_SYSCALL_IDS;
/**
 * Outputs beside stdout are off: two agents run at once (the webserver would take the same port), and
 * a host without /dev/log would block the syslog channel. What is compared is the alerts on stdout.
 */
const QUIET = ["-o", "webserver.enabled=false", "-o", "syslog_output.enabled=false"];
/** A small, fixed environment for every child: what the probe records must not depend on ours. */
const CHILD_ENV = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: "/nonexistent", LANG: "C" };

interface Alert {
  readonly rule: string;
  readonly priority: string;
  readonly output: string;
  readonly output_fields: Record<string, unknown>;
}

/** A `saker` child whose stdout JSON alerts and stderr are collected. */
class Saker {
  readonly alerts: Alert[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [MAIN, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: CHILD_ENV,
    });
    let buf = "";
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("{")) this.alerts.push(JSON.parse(line) as Alert);
      }
    });
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (d: string) => (this.stderr += d));
    this.exited = new Promise((r) => this.child.on("exit", (code) => r(code)));
  }

  async waitStderr(re: RegExp, ms = 30_000): Promise<void> {
    const until = Date.now() + ms;
    while (!re.test(this.stderr)) {
      if (Date.now() > until || this.child.exitCode !== null) {
        throw new Error(`saker did not log ${re} in time:\n${this.stderr}`);
      }
      await sleep(20);
    }
  }

  async stop(): Promise<number | null> {
    this.child.kill("SIGTERM");
    return this.exited;
  }
}

/** The actions, each marked with the test directory or id so its alerts can be told apart. */
function actions(dir: string, id: string): string[] {
  return [
    `${dir}/shadowreader /etc/shadow ${dir}/notes.txt > /dev/null`,
    `ln -s /etc/shadow ${dir}/shadow-symlink`,
    `ln /etc/shadow ${dir}/shadow-hardlink`,
    `cp /bin/true /dev/shm/saker-lr-${id} && /dev/shm/saker-lr-${id} ${dir}; rm -f /dev/shm/saker-lr-${id}`,
    `/usr/bin/python3 -c "import os; fd = os.memfd_create('payload'); ` +
      `os.write(fd, open('/bin/true', 'rb').read()); os.execv('/proc/self/fd/%d' % fd, ['memfdexec', '${dir}'])"`,
    `sleep 2 & P=$!; timeout 1 ${dir}/strace -p $P -o ${dir}/strace.out; kill $P 2> /dev/null; true`,
    `: > /var/log/saker-lr-${id}.log; rm -f /var/log/saker-lr-${id}.log`,
    `find ${dir} -name id_rsa`,
    `/usr/bin/python3 -c "import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)" ${dir}`,
    `echo x > /etc/saker-lr-${id}.conf; rm -f /etc/saker-lr-${id}.conf`,
  ];
}

/** Rules each ruleset must raise for the actions (the comparison would pass vacuously without them). */
const EXPECTED = {
  saker: [
    "Credential File Read By Unexpected Program",
    "Link Created Over Credential File",
    "Program Run From Shared Memory",
    "Fileless Execution Via Memfd",
    "Process Attached With Ptrace",
    "Log File Truncated",
    "Private Key Search",
    "Packet Socket Opened",
    "Write Below Etc",
  ],
  upstream: [
    "Read sensitive file untrusted",
    "Create Symlink Over Sensitive Files",
    "Create Hardlink Over Sensitive Files",
    "Execution from /dev/shm",
    "Fileless execution via memfd_create",
    "PTRACE attached to process",
    "Clear Log Activities",
    "Search Private Keys or Passwords",
    "Write below etc",
  ],
} as const;

/** Fields that carry the event's time or number: they differ between two probe instances. */
const TIME_FIELD = /^evt\.(num|(raw|rel|delta|date|output)?time.*|datetime.*|latency.*)$/;

/** An alert as compared: rule, priority and its fields, times left out. */
function key(a: Alert): string {
  const fields = Object.entries(a.output_fields)
    .filter(([k]) => !TIME_FIELD.test(k))
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify([a.rule, a.priority, fields]);
}

function mine(alerts: readonly Alert[], dir: string, id: string): string[] {
  return (
    alerts
      // The other saker processes of this test carry the directory in their command lines: their own
      // start-up (setuid to nobody...) raced the other agents' start and is not compared.
      .filter(
        (a) => (a.output.includes(dir) || a.output.includes(`saker-lr-${id}`)) && !a.output.includes(MAIN),
      )
      .map(key)
      .sort()
  );
}

/** `saker replay FILE` with these arguments: its JSON alerts. */
function replay(file: string, args: string[]): Alert[] {
  const r = spawnSync(
    process.execPath,
    [MAIN, "replay", file, "--json", "-o", "rule_matching=all", ...QUIET, ...args],
    { encoding: "utf8", env: CHILD_ENV, maxBuffer: 1 << 28, timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Alert);
}

/** evt.type as sysdig 0.29.3 prints it (two syscalls were renamed since). */
const SYSDIG_NAME: Record<string, string> = { rt_sigreturn: "sigreturn", newfstatat: "newfsstat" };

/** Events Saker reads from the file that sysdig 0.29.3 can read, counted by evt.type. */
async function sakerTypeCounts(file: string): Promise<{ total: number; counts: Map<string, number> }> {
  const counts = new Map<string, number>();
  let total = 0;
  const res = await readScapFile(file, {
    onEvent: (ev) => {
      total++;
      // sysdig 0.29.3 skips event types newer than its table.
      if (ev.type >= LEGACY_EVENT_MAX) return;
      // A generic event with id 0 (how `saker capture` writes syscalls sysdig does not know) is
      // "<unknown>" to sysdig.
      const id = isGenericEvent(ev.type) ? (ev.paramU16(0) ?? 0) : -1;
      let name = id === 0 ? undefined : id > 0 ? syscallName(id) : eventInfo(ev.type)?.name;
      name = name === undefined ? "<unknown>" : (SYSDIG_NAME[name] ?? name);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    },
  });
  assert.equal(res.error, null);
  return { total, counts };
}

/** sysdig -r FILE: exit status and the events it printed, counted by evt.type. */
function sysdigTypeCounts(file: string): {
  status: number | null;
  signal: string | null;
  counts: Map<string, number>;
} {
  const r = spawnSync("sysdig", ["-r", file, "-D", "-p", "*%evt.num %evt.type"], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    timeout: 60_000,
    env: CHILD_ENV,
  });
  const counts = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    const m = /^\d+ (\S+)$/.exec(line);
    if (m !== null) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  }
  return { status: r.status, signal: r.signal, counts };
}

const sorted = (m: Map<string, number>): [string, number][] =>
  [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

test(
  "live capture: sysdig reads it, saker replay raises the live alerts",
  { skip, timeout: 180_000 },
  async (t) => {
    execFileSync("bash", [resolve(repoRoot, "scripts/build-probe.sh")], { stdio: "ignore" });
    const id = `${process.pid}${Date.now() % 100000}`;
    const dir = mkdtempSync(join(tmpdir(), `saker-lr-${id}-`));
    execFileSync("chmod", ["755", dir]);
    copyFileSync("/bin/cat", join(dir, "shadowreader"));
    execFileSync("chmod", ["755", join(dir, "shadowreader")]);
    symlinkSync("/usr/bin/strace", join(dir, "strace"));
    writeFileSync(join(dir, "notes.txt"), "nothing to see\n");
    const file = join(dir, "live.scap");
    const fullFile = join(dir, "full.scap");
    // Syscalls past sysdig's table that have no dedicated event (those arrive as generic events).
    const newGeneric = SYSCALL_NAMES.slice(SYSDIG_0_29_SC_MAX).filter(
      (n) => n !== "" && !EVENT_TABLE_NAMES.has(n),
    );
    const readable = `not evt.type in (${newGeneric.join(", ")})`;

    const agents = {
      saker: new Saker(["run", "-o", "json_output=true", "-o", "rule_matching=all", ...QUIET]),
      upstream: new Saker([
        "run",
        "-o",
        "json_output=true",
        "-o",
        "rule_matching=all",
        ...QUIET,
        "-r",
        ...UPSTREAM,
      ]),
    };
    const capture = new Saker(["capture", "-w", file, readable]);
    const full = new Saker(["capture", "-w", fullFile]);
    try {
      await Promise.all([
        agents.saker.waitStderr(/Saker is watching the system/),
        agents.upstream.waitStderr(/Saker is watching the system/),
        capture.waitStderr(/Capturing to /),
        full.waitStderr(/Capturing to /),
      ]);
      for (const script of actions(dir, id)) assert.equal(await bash(script), 0, script);
      // Every expected alert reached its live agent: by then the capture has seen the actions' events
      // too (the SIGTERM below makes it drain what its probe captured before writing the file).
      const until = Date.now() + 5000;
      for (const which of ["saker", "upstream"] as const) {
        for (const rule of EXPECTED[which]) {
          while (!agents[which].alerts.some((a) => a.rule === rule && a.output.includes(id))) {
            if (Date.now() > until) {
              const got = agents[which].alerts.filter((a) => a.output.includes(id)).map((a) => a.rule);
              assert.fail(`live ${which} agent: no "${rule}" alert; got ${JSON.stringify(got)}`);
            }
            await sleep(20);
          }
        }
      }
      await sleep(200);
      assert.equal(await capture.stop(), 0, capture.stderr);
      assert.equal(await full.stop(), 0, full.stderr);
    } finally {
      for (const s of [agents.saker, agents.upstream, capture, full]) await s.stop();
    }
    assert.match(capture.stderr, / 0 events dropped\n/, "a lossy capture cannot be compared");

    try {
      await t.test("sysdig 0.29.3 reads every event Saker reads, type by type", async (t) => {
        const ours = await sakerTypeCounts(file);
        const m = /wrote (\d+) events/.exec(capture.stderr);
        assert.ok(m !== null, capture.stderr);
        assert.equal(ours.total, Number(m[1]), "the file holds every event written");
        const theirs = sysdigTypeCounts(file);
        if (theirs.status === null && theirs.signal === null) return t.skip("sysdig is not installed");
        assert.equal(theirs.signal, null, "sysdig crashed");
        assert.equal(theirs.status, 0);
        assert.ok(ours.counts.get("execve")! >= 5 && ours.counts.get("openat")! > 0, "the actions are in it");
        assert.deepEqual(sorted(theirs.counts), sorted(ours.counts));
      });

      await t.test("sysdig 0.29.3 reads an unfiltered capture, every event of it", async (t) => {
        const theirs = sysdigTypeCounts(fullFile);
        if (theirs.status === null && theirs.signal === null) return t.skip("sysdig is not installed");
        assert.equal(theirs.signal, null, "sysdig crashed");
        assert.equal(theirs.status, 0);
        // Type by type, every event whose type sysdig's event table has (sakerTypeCounts leaves out the
        // newer event types, dup2, pipe2 ..., which sysdig skips silently).
        const ours = await sakerTypeCounts(fullFile);
        assert.deepEqual(sorted(theirs.counts), sorted(ours.counts));
        assert.match(full.stderr, /generic events of syscalls newer than sysdig 0\.29\.3's table/);
      });

      for (const which of ["saker", "upstream"] as const) {
        await t.test(`saker replay raises the alerts the live agent raised (${which} rules)`, () => {
          const live = mine(agents[which].alerts, dir, id);
          const replayed = mine(replay(file, which === "saker" ? [] : ["-r", ...UPSTREAM]), dir, id);
          for (const rule of EXPECTED[which])
            assert.ok(
              live.some((k) => k.includes(JSON.stringify(rule))),
              rule,
            );
          assert.deepEqual(replayed, live);
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
