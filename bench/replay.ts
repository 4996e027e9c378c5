// Question: how fast does Saker replay a large capture through Falco's current rules, compared with
// sysdig reading the same file with a filter of comparable work, on one core, and in how much memory?
//
// The capture: the listed, non-internal events of the corpus captures (what `sysdig -r` shows: syscalls
// and container events, no procinfo), in corpus order and repeated until there are at least 5 million,
// with their records (process, fd, user, interface lists) in front and timestamps rewritten into one
// increasing timeline (each event keeps its distance to the previous one of its capture). Written once,
// uncompressed, and cached in the temp directory.
//
// Saker: replayCapture with the three upstream syscall rules files (falco_rules, falco-incubating_rules,
// falco-sandbox_rules: 81 enabled rules over 39 event types), alerts rendered as text and counted, not
// printed. sysdig: `sysdig -q -r FILE FILTER`, FILTER the OR of 40 rule-like conditions (the event type,
// then process, file and network fields). With -q sysdig formats nothing, but its inspector still runs
// the state engine and the filter on every event (the filter runs after the state update for events
// that change state, before it for the others); with -d it would skip the filter altogether under -q.
// sysdig has no event-type index, so it evaluates the OR on every event; Saker evaluates only the rules
// indexed under the event's type. Both read the file from the page cache (one warm-up read first).
//
// The figures are events per second of CPU time (user + system, all threads), the best of two runs:
// wall-clock time on a shared machine says more about the neighbours than about the code. Wall-clock
// rates are printed too. The ratio is Saker's CPU rate over sysdig's.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, renameSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DEFAULT_ALERT_CONFIG } from "../src/alerts/alert.js";
import { EVENT_TYPE_MAX } from "../src/capture/events/table.js";
import { eventTypeTables } from "../src/capture/pipeline/event-types.js";
import { replayCapture } from "../src/capture/replay.js";
import { readScapFile } from "../src/capture/scap/reader.js";
import type { ScapRecord } from "../src/capture/scap/records.js";
import { openScapWriter, type EventFields } from "../src/capture/scap/writer.js";
import { loadRulesPaths } from "../src/rules/loader/load.js";
import { EventProcessor } from "../src/state/processor.js";

export interface ReplayBenchResult {
  readonly events: number;
  /** Per second of CPU time. */
  readonly sakerEventsPerSecond: number;
  readonly sysdigEventsPerSecond: number | undefined;
  /** Saker over sysdig. */
  readonly ratio: number | undefined;
  readonly peakRssMb: number;
  readonly alerts: number;
}

export interface ReplayBenchOptions {
  /** At least this many events in the capture (default 5,000,000). */
  readonly events?: number;
  readonly corpusDir?: string;
  readonly log?: (line: string) => void;
  /** Skip the sysdig run. */
  readonly noSysdig?: boolean;
}

const FORMAT_VERSION = 1;

function defaultCorpus(): string {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  return process.env.SAKER_CORPUS ?? resolve(repo, "../shared/corpus");
}

/** sysdig 0.29.3 cannot read it (section header options), and it repeats curl_google.scap. */
const SKIP = new Set(["curl_google_comments.scap"]);

interface Template {
  readonly records: ScapRecord[];
  readonly events: EventFields[];
  /** Gap to the previous event of the same capture (ns). */
  readonly gaps: bigint[];
}

async function template(dir: string): Promise<Template> {
  const { internalByCode } = eventTypeTables();
  const records: ScapRecord[] = [];
  const events: EventFields[] = [];
  const gaps: bigint[] = [];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".scap") && !SKIP.has(f))
    .sort();
  for (const f of files) {
    const processor = new EventProcessor();
    let last = -1n;
    const res = await readScapFile(join(dir, f), {
      onRecord: (r) => {
        processor.onRecord(r);
        if (r.kind !== "section" && r.kind !== "unknown" && r.kind !== "machine") records.push(r);
      },
      onEvent: (ev) => {
        const e = processor.process(ev);
        if (!e.listed || (ev.type < EVENT_TYPE_MAX && internalByCode[ev.type] === 1)) return;
        const ts = ev.ts;
        gaps.push(last < 0n || ts < last ? 1000n : ts - last);
        last = ts;
        const params: Uint8Array[] = [];
        for (let i = 0; i < ev.nparams; i++) params.push(Buffer.from(ev.paramBytes(i)!));
        events.push({ ts, tid: ev.tid, type: ev.type, params, cpu: ev.cpu });
      },
    });
    if (res.error !== null) throw new Error(`${f}: ${res.error.message}`);
  }
  return { records, events, gaps };
}

/** The cached capture of at least `minEvents` events (built when missing); its event count comes from a read. */
export async function benchCapture(minEvents: number, corpusDir: string): Promise<string> {
  const path = join(tmpdir(), `saker-bench-replay-v${FORMAT_VERSION}-min${minEvents}.scap`);
  if (existsSync(path)) return path;
  const t = await template(join(corpusDir, "captures"));
  const reps = Math.ceil(minEvents / t.events.length);
  const partial = `${path}.${process.pid}.partial`;
  const w = openScapWriter(partial, { flushBytes: 4 << 20 });
  if ("code" in w) throw new Error(w.message);
  for (const r of t.records) {
    const e = w.writeRecord(r);
    if (e !== null && e.code === "SCAP_WRITE_ERR_IO") throw new Error(e.message);
  }
  let ts = 1_700_000_000_000_000_000n;
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < t.events.length; i++) {
      ts += t.gaps[i]!;
      const e = w.writeEventFields({ ...t.events[i]!, ts });
      if (e !== null) throw new Error(e.message);
    }
  }
  const closed = w.close();
  if (closed.error !== null) throw new Error(closed.error.message);
  renameSync(partial, path);
  return path;
}

/** 40 rule-like conditions, ORed: what sysdig evaluates per event. */
export const SYSDIG_FILTER = [
  "(evt.type=execve and evt.dir=< and proc.name in (bash, sh, zsh, dash, ksh) and proc.pname in (nginx, httpd, apache2, node, java))",
  "(evt.type=execve and evt.dir=< and proc.name in (nc, ncat, netcat, socat, nmap))",
  '(evt.type=execve and evt.dir=< and proc.cmdline contains "base64 -d")',
  "(evt.type=execve and evt.dir=< and proc.exe startswith /tmp)",
  "(evt.type=execve and evt.dir=< and proc.name=sudo and user.name!=root)",
  "(evt.type=execve and evt.dir=< and container.id!=host and proc.name in (apt, apt-get, yum, dnf, rpm, dpkg))",
  "(evt.type=execve and evt.dir=< and proc.name in (ssh, scp, sftp) and container.id!=host)",
  '(evt.type=execve and evt.dir=< and proc.args contains "-c" and proc.pname=sshd)',
  "(evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith /etc/shadow)",
  "(evt.type in (open, openat, openat2) and evt.dir=< and fd.name in (/etc/passwd, /etc/sudoers, /etc/pam.conf))",
  "(evt.type in (open, openat, openat2) and evt.dir=< and evt.arg.flags contains O_WRONLY and fd.directory in (/bin, /sbin, /usr/bin, /usr/sbin))",
  "(evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith /root/.ssh)",
  "(evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith /proc/ and fd.name endswith /mem)",
  '(evt.type in (open, openat, openat2) and evt.dir=< and fd.name glob "/var/run/docker.sock*")',
  "(evt.type in (open, openat, openat2) and evt.dir=< and fd.name contains id_rsa)",
  "(evt.type in (open, openat, openat2) and evt.dir=< and evt.rawres < 0 and fd.name startswith /etc)",
  "(evt.type in (open, openat, openat2) and evt.dir=< and container.id!=host and fd.name startswith /dev/mem)",
  "(evt.type in (open, openat, openat2) and evt.dir=< and fd.typechar=f and fd.name startswith /boot)",
  "(evt.type=connect and evt.dir=< and fd.sport in (4444, 5555, 6666, 1337, 31337))",
  "(evt.type=connect and evt.dir=< and fd.sip=169.254.169.254)",
  "(evt.type=connect and evt.dir=< and fd.l4proto=udp and fd.sport=53 and proc.name!=systemd-resolved)",
  '(evt.type=connect and evt.dir=< and fd.typechar=4 and container.id!=host and fd.snet in ("10.0.0.0/8"))',
  "(evt.type in (accept, accept4) and evt.dir=< and proc.name in (bash, sh))",
  "(evt.type in (sendto, sendmsg) and evt.dir=< and fd.sport=25)",
  "(evt.type=bind and evt.dir=< and fd.sport < 1024 and user.uid != 0)",
  "(evt.type=listen and evt.dir=> and proc.name in (nc, ncat, socat))",
  "(evt.type in (unlink, unlinkat, rename, renameat) and fd.name startswith /var/log)",
  "(evt.type in (unlink, unlinkat) and evt.dir=< and evt.arg.name contains .bash_history)",
  "(evt.type in (mkdir, mkdirat) and evt.dir=< and evt.arg.path startswith /dev/shm)",
  "(evt.type=setuid and evt.dir=> and proc.name!=sudo)",
  "(evt.type in (chmod, fchmod, fchmodat) and evt.dir=< and evt.arg.mode contains S_ISUID)",
  "(evt.type=ptrace and evt.dir=> and proc.name!=gdb)",
  "(evt.type in (mount, umount, umount2) and container.id!=host)",
  "(evt.type=init_module or evt.type=finit_module)",
  "(evt.type=clone and evt.dir=< and container.id!=host and proc.name=runc)",
  "(evt.type in (symlink, symlinkat) and evt.dir=< and evt.arg.target startswith /etc)",
  "(evt.type=chroot and container.id!=host)",
  "(evt.type=userfaultfd)",
  "(evt.type=setns and container.id!=host)",
  "(evt.type=execve and evt.dir=< and proc.aname[2] in (nginx, httpd) and proc.name!=nginx)",
].join(" or ");

interface Timing {
  /** CPU seconds (user + system). */
  readonly cpu: number;
  readonly wall: number;
}

const best = (a: Timing, b: Timing): Timing => (b.cpu < a.cpu ? b : a);

async function timeSaker(
  path: string,
  corpusDir: string,
): Promise<{ timing: Timing; events: number; alerts: number }> {
  const upstream = join(corpusDir, "rules", "upstream");
  const rulesPaths = ["falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"].map(
    (f) => join(upstream, f),
  );
  const loaded = loadRulesPaths(rulesPaths);
  if (!loaded.successful) throw new Error("upstream rules failed to load");
  let rendered = 0;
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  const outcome = await replayCapture(path, {
    rulesPaths,
    loaded,
    alertConfig: { ...DEFAULT_ALERT_CONFIG, hostname: "bench" },
    write: (line) => void (rendered += line.length),
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (outcome.summary === undefined || outcome.error !== undefined) {
    throw new Error(`replay failed: ${outcome.error?.code} ${outcome.error?.message}`);
  }
  if (rendered < 0) throw new Error("unreachable");
  return {
    timing: { cpu: (cpu.user + cpu.system) / 1e6, wall },
    events: outcome.summary.eventsRead,
    alerts: outcome.summary.alertsTotal,
  };
}

/** sysdig's CPU and wall time through /usr/bin/time (wall only without it); undefined: no sysdig. */
function timeSysdig(path: string, filter = true): Timing | undefined {
  if (spawnSync("sysdig", ["--version"], { stdio: "ignore" }).error !== undefined) return undefined;
  const args = ["-q", "-r", path, ...(filter ? [SYSDIG_FILTER] : [])];
  const started = process.hrtime.bigint();
  if (existsSync("/usr/bin/time")) {
    const r = spawnSync("/usr/bin/time", ["-f", "SAKER_TIME %U %S", "sysdig", ...args], {
      encoding: "utf8",
      stdio: ["ignore", "ignore", "pipe"],
      maxBuffer: 16 << 20,
    });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    const m = /SAKER_TIME ([\d.]+) ([\d.]+)/.exec(r.stderr ?? "");
    if (r.status !== 0 || m === null) throw new Error(`sysdig failed: ${r.stderr}`);
    return { cpu: Number(m[1]) + Number(m[2]), wall };
  }
  execFileSync("sysdig", args, { stdio: ["ignore", "ignore", "ignore"] });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  return { cpu: wall, wall };
}

export async function benchReplay(options: ReplayBenchOptions = {}): Promise<ReplayBenchResult> {
  const log = options.log ?? ((l: string) => console.log(l));
  const corpusDir = options.corpusDir ?? defaultCorpus();
  const path = await benchCapture(options.events ?? 5_000_000, corpusDir);
  const mb = statSync(path).size / (1 << 20);
  // Warm the page cache so both readers start from memory.
  for await (const chunk of (await import("node:fs")).createReadStream(path, { highWaterMark: 8 << 20 })) {
    if ((chunk as Buffer).length < 0) break;
  }
  const first = await timeSaker(path, corpusDir);
  const events = first.events;
  log(`capture replay (${events} events, ${mb.toFixed(0)} MiB uncompressed, ${path})`);
  const second = await timeSaker(path, corpusDir);
  const saker = best(first.timing, second.timing);
  const sakerEps = first.events / saker.cpu;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const fmt = (r: number): string => `${(r / 1e6).toFixed(2)} M events/s`;
  log(
    `  saker   81 upstream rules, indexed   ${fmt(sakerEps)} CPU (${fmt(first.events / saker.wall)} wall), ` +
      `${first.alerts} alerts, peak RSS ${peakRssMb.toFixed(0)} MiB`,
  );
  let sysdigEps: number | undefined;
  if (options.noSysdig !== true) {
    const a = timeSysdig(path);
    const b = a === undefined ? undefined : timeSysdig(path);
    if (a === undefined || b === undefined) log("  sysdig  not installed: no reference run");
    else {
      const t = best(a, b);
      sysdigEps = events / t.cpu;
      log(`  sysdig  -q, OR of 40 conditions      ${fmt(sysdigEps)} CPU (${fmt(events / t.wall)} wall)`);
      // For scale: sysdig's reader and state engine alone, no filter.
      const bare = timeSysdig(path, false)!;
      log(
        `  sysdig  -q, no filter (state only)   ${fmt(events / bare.cpu)} CPU (${fmt(events / bare.wall)} wall)`,
      );
    }
  }
  const ratio = sysdigEps === undefined ? undefined : sakerEps / sysdigEps;
  if (ratio !== undefined) log(`  ratio   saker / sysdig = ${ratio.toFixed(2)}x (CPU time)`);
  return {
    events,
    sakerEventsPerSecond: sakerEps,
    sysdigEventsPerSecond: sysdigEps,
    ratio,
    peakRssMb,
    alerts: first.alerts,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchReplay({ noSysdig: process.argv.includes("--no-sysdig") }).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
