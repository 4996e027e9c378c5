// The probe end to end (root, x86_64, a kernel with BTF): real actions in a child shell, the events
// decoded through the ScapEvent view and checked parameter by parameter; selection changes; drop
// counting under a burst the ring buffer cannot hold. Every event delivered is also checked
// against the event table (parameter count, fixed sizes).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EVENT_TABLE, EventType, ParamType, SYSCALL_IDS_BY_NAME } from "../../../src/capture/events/table.js";
import { type LiveCapture, LiveErrorCode, startLiveCapture } from "../../../src/capture/live/capture.js";
import { SYSCALL_NUMBERS } from "../../../src/capture/live/selection.js";
import type { ScapEvent } from "../../../src/capture/scap/event.js";
import { repoRoot } from "../../support/paths.js";

function skipReason(): string | false {
  if (process.platform !== "linux" || process.arch !== "x64") return "live capture needs Linux on x86_64";
  if (process.getuid?.() !== 0) return "live capture needs root (CAP_BPF + CAP_PERFMON): skipped";
  if (!existsSync("/sys/kernel/btf/vmlinux"))
    return "the kernel has no BTF (/sys/kernel/btf/vmlinux): skipped";
  return false;
}

/** An event copied out of the reused view. */
interface Ev {
  type: number;
  tid: number;
  params: Buffer[];
}

const i64 = (b: Buffer | undefined): number => (b?.length === 8 ? Number(b.readBigInt64LE(0)) : NaN);
const u32 = (b: Buffer | undefined): number => (b?.length === 4 ? b.readUInt32LE(0) : NaN);
const str = (b: Buffer | undefined): string => {
  if (b === undefined) return "";
  const z = b.indexOf(0);
  return b.toString("utf8", 0, z < 0 ? b.length : z);
};
const strs = (b: Buffer | undefined): string[] =>
  b === undefined || b.length === 0
    ? []
    : str(b) === "" && b.length === 1
      ? [""]
      : b.toString("utf8").replace(/\0$/, "").split("\0");
const ipv4 = (b: Buffer, off: number): string => [...b.subarray(off, off + 4)].join(".");

/** Sizes of the fixed-size parameter types. */
const FIXED: Partial<Record<ParamType, number>> = {
  [ParamType.INT8]: 1,
  [ParamType.UINT8]: 1,
  [ParamType.SIGTYPE]: 1,
  [ParamType.FLAGS8]: 1,
  [ParamType.ENUMFLAGS8]: 1,
  [ParamType.INT16]: 2,
  [ParamType.UINT16]: 2,
  [ParamType.SYSCALLID]: 2,
  [ParamType.FLAGS16]: 2,
  [ParamType.ENUMFLAGS16]: 2,
  [ParamType.INT32]: 4,
  [ParamType.UINT32]: 4,
  [ParamType.FLAGS32]: 4,
  [ParamType.ENUMFLAGS32]: 4,
  [ParamType.UID]: 4,
  [ParamType.GID]: 4,
  [ParamType.MODE]: 4,
  [ParamType.INT64]: 8,
  [ParamType.UINT64]: 8,
  [ParamType.ERRNO]: 8,
  [ParamType.FD]: 8,
  [ParamType.PID]: 8,
  [ParamType.RELTIME]: 8,
  [ParamType.ABSTIME]: 8,
};

/** Collects copies of the events (up to a cap) and checks every event against the table. */
class Collector {
  events: Ev[] = [];
  delivered = 0;
  problems: string[] = [];
  onEvent(ev: ScapEvent): void {
    this.delivered++;
    const info = EVENT_TABLE[ev.type];
    if (info === undefined) {
      this.problem(`unknown event type ${ev.type}`);
      return;
    }
    if (ev.nparams !== info.params.length) {
      this.problem(`${info.name} (${ev.type}): ${ev.nparams} params, table has ${info.params.length}`);
    }
    for (let i = 0; i < Math.min(ev.nparams, info.params.length); i++) {
      const want = FIXED[info.params[i]!.type];
      const got = ev.paramLen(i);
      if (want !== undefined && got !== 0 && got !== want) {
        this.problem(`${info.name} (${ev.type}) param ${info.params[i]!.name}: ${got} bytes, want ${want}`);
      }
    }
    if (this.events.length >= 2_000_000) return;
    const params: Buffer[] = [];
    for (let i = 0; i < ev.nparams; i++) params.push(Buffer.from(ev.paramBytes(i)!));
    this.events.push({ type: ev.type, tid: ev.tid, params });
  }
  private problem(p: string): void {
    if (this.problems.length < 10 && !this.problems.includes(p)) this.problems.push(p);
  }
  of(...types: number[]): Ev[] {
    return this.events.filter((e) => types.includes(e.type));
  }
}

/** Runs `script` in bash with only PATH and `env`: the probe keeps the first 4096 bytes of an
 * environment (as libs' probes do), so an inherited one (CI, npm) could push the marks out. */
function runChild(script: string, cwd: string, env: Record<string, string>): Promise<number> {
  return new Promise((res, rej) => {
    const c = spawn("/bin/bash", ["-c", script], {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent", ...env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    c.on("error", rej);
    c.on("exit", (code) => (code === 0 ? res(c.pid!) : rej(new Error(`child exited with ${code}`))));
  });
}

const skip = skipReason();

test("live capture: real actions arrive as decoded events", { skip, timeout: 60_000 }, async (t) => {
  execFileSync("bash", [resolve(repoRoot, "scripts/build-probe.sh")], { stdio: "inherit" });

  const dir = realpathSync(mkdtempSync(join(tmpdir(), "saker-live-")));
  const id = `${process.pid}-${Date.now()}`;
  const file = join(dir, "probe-file");
  writeFileSync(file, "hello\n");
  writeFileSync(join(dir, "second-file"), "again\n");
  const server = createServer((s) => s.on("error", () => {}).end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;

  const col = new Collector();
  let live: LiveCapture | null = null;
  const base = ["openat", "execve", "clone", "clone3", "fork", "vfork", "connect", "accept", "accept4"];
  try {
    live = await startLiveCapture(col, {
      syscalls: [...base, "symlink", "symlinkat", "getppid", "procexit"],
    });
    assert.ok(live.hello.handled.has(SYSCALL_NUMBERS.get("openat")!));

    await t.test("open, exec, connect, symlink, fork and exit of a shell", async () => {
      const script = [
        'exec 3< "$DIR/probe-file"',
        '/bin/true "saker-$ID" second',
        "exec 4<>/dev/tcp/127.0.0.1/$PORT",
        'ln -s "$DIR/probe-file" "$DIR/probe-link"',
      ].join("\n");
      const sh = await runChild(script, dir, { DIR: dir, ID: id, PORT: String(port), SAKER_LIVE_MARK: id });
      await live!.sync();

      // openat(AT_FDCWD, "$DIR/probe-file", O_RDONLY)
      const st = statSync(file);
      const open = col.of(EventType.SYSCALL_OPENAT_2_X).find((e) => str(e.params[2]) === file);
      assert.ok(open, "openat of the probe file");
      assert.equal(open.tid, sh);
      assert.equal(i64(open.params[0]), 3);
      assert.equal(i64(open.params[1]), -100);
      assert.equal(u32(open.params[3]) & 3, 1, "O_RDONLY");
      assert.equal(u32(open.params[4]), 0, "no mode without O_CREAT");
      assert.equal(u32(open.params[5]), st.dev);
      assert.equal(i64(open.params[6]), st.ino);

      // execve("/bin/true", ["/bin/true", "saker-ID", "second"]) from the shell's child
      const exec = col
        .of(EventType.SYSCALL_EXECVE_19_X)
        .find((e) => strs(e.params[2]).includes(`saker-${id}`));
      assert.ok(exec, "execve of /bin/true");
      const p = exec.params;
      assert.equal(i64(p[0]), 0);
      assert.equal(str(p[1]), "/bin/true");
      assert.deepEqual(strs(p[2]), [`saker-${id}`, "second"]);
      assert.equal(i64(p[3]), exec.tid);
      assert.equal(i64(p[4]), exec.tid);
      assert.equal(i64(p[5]), sh, "ptid is the shell");
      assert.equal(str(p[6]), dir, "cwd");
      assert.equal(str(p[13]), "true", "comm");
      const memcg = /^\d+:memory:(.*)$/m.exec(readFileSync("/proc/self/cgroup", "utf8"));
      if (memcg !== null)
        assert.ok(strs(p[14]).includes(`memory=${memcg[1]}`), `cgroups ${strs(p[14]).join(",")}`);
      assert.ok(strs(p[15]).includes(`SAKER_LIVE_MARK=${id}`), `env: ${strs(p[15]).join(" ").slice(0, 300)}`);
      assert.equal(u32(p[18]), Number(readFileSync("/proc/self/loginuid", "utf8")), "loginuid");
      assert.equal(u32(p[26]), process.geteuid!(), "uid");
      assert.equal(str(p[27]), realpathSync("/bin/true"), "trusted_exepath");
      assert.equal(u32(p[29]), process.getegid!(), "gid");
      assert.equal(str(p[30]), "/bin/true", "filename");
      assert.equal(i64(p[23]), statSync("/bin/true").ino, "exe_ino");

      // the fork that made the process, seen from both sides
      const forks = col.of(
        EventType.SYSCALL_CLONE_20_X,
        EventType.SYSCALL_CLONE3_X,
        EventType.SYSCALL_FORK_20_X,
        EventType.SYSCALL_VFORK_20_X,
      );
      const parentSide = forks.find((e) => e.tid === sh && i64(e.params[0]) === exec.tid);
      assert.ok(parentSide, "clone exit in the shell returning the child's tid");
      assert.equal(str(parentSide.params[1]), "/bin/bash");
      assert.equal(str(parentSide.params[6]), dir);
      const childSide = forks.find((e) => e.tid === exec.tid && i64(e.params[0]) === 0);
      assert.ok(childSide, "clone exit in the child returning 0");
      assert.equal(i64(childSide.params[5]), sh, "child's ptid");

      // connect(fd, 127.0.0.1:PORT) and the server's accept
      const conn = col
        .of(EventType.SOCKET_CONNECT_X)
        .find((e) => e.tid === sh && e.params[1]!.length === 13 && e.params[1]!.readUInt16LE(11) === port);
      assert.ok(conn, "connect");
      assert.equal(i64(conn.params[0]), 0);
      const tuple = conn.params[1]!;
      assert.equal(tuple.length, 13);
      assert.equal(tuple[0], 2, "AF_INET");
      assert.equal(ipv4(tuple, 1), "127.0.0.1");
      assert.equal(ipv4(tuple, 7), "127.0.0.1");
      assert.equal(tuple.readUInt16LE(11), port);
      const sport = tuple.readUInt16LE(5);
      const addr = conn.params[3]!;
      assert.deepEqual([addr[0], ipv4(addr, 1), addr.readUInt16LE(5)], [2, "127.0.0.1", port]);
      const acc = col
        .of(EventType.SOCKET_ACCEPT4_6_X, EventType.SOCKET_ACCEPT_5_X)
        .find(
          (e) =>
            e.tid === process.pid && e.params[1]!.length === 13 && e.params[1]!.readUInt16LE(5) === sport,
        );
      assert.ok(acc, "accept in this process, tuple remote first");
      assert.equal(acc.params[1]!.readUInt16LE(11), port);

      // symlink
      const link = col
        .of(EventType.SYSCALL_SYMLINKAT_X, EventType.SYSCALL_SYMLINK_X)
        .find((e) => e.tid > 0 && strs(e.params[1]).includes(file));
      assert.ok(link, "symlink");
      assert.equal(i64(link.params[0]), 0);
      assert.equal(str(link.params.at(-1)), join(dir, "probe-link"));

      // getppid is a generic event: ID = ppm_sc, nativeID = syscall number
      const gen = col
        .of(EventType.GENERIC_X)
        .find((e) => e.tid === sh && e.params[1]!.readUInt16LE(0) === SYSCALL_NUMBERS.get("getppid"));
      assert.ok(gen, "generic getppid from bash");
      assert.equal(gen.params[0]!.readUInt16LE(0), SYSCALL_IDS_BY_NAME.get("getppid"));

      // the exits of /bin/true and of the shell
      const exits = col.of(EventType.PROCEXIT_1_E);
      for (const tid of [exec.tid, sh]) {
        const ex = exits.find((e) => e.tid === tid);
        assert.ok(ex, `procexit of ${tid}`);
        assert.equal(i64(ex.params[0]), 0);
      }
      assert.deepEqual(col.problems, []);
    });

    await t.test("selection update: openat off, the rest still on", async () => {
      const sel = await live!.select([...base, "procexit"].filter((s) => s !== "openat"));
      assert.ok(!sel.dedicated.includes("openat"));
      const mark = col.events.length;
      // An environment over the probe's 4096-byte cap arrives cut, not dropped.
      await runChild('exec 3< "$DIR/second-file"\n/bin/true "saker-$ID-2"', dir, {
        DIR: dir,
        ID: id,
        SAKER_HUGE: "x".repeat(10_000),
      });
      await live!.sync();
      const after = col.events.slice(mark);
      assert.equal(
        after.filter((e) => e.type === EventType.SYSCALL_OPENAT_2_X).length,
        0,
        "no openat at all",
      );
      const exec = after.find(
        (e) => e.type === EventType.SYSCALL_EXECVE_19_X && strs(e.params[2]).includes(`saker-${id}-2`),
      );
      assert.ok(exec, "execve still captured");
      const env = exec.params[15]!;
      assert.ok(env.length > 0 && env.length <= 4096, `env of ${env.length} bytes`);
      assert.ok(env.toString("latin1").includes("SAKER_HUGE=xxx"), "the cut variable starts the env");
      assert.ok(
        after.some((e) => e.type === EventType.PROCEXIT_1_E),
        "procexit still captured",
      );
      assert.deepEqual(col.problems, []);
    });

    await t.test("file, credential and socket syscalls of a node child", async () => {
      const families = [
        ["mkdir", "mkdirat"],
        ["rename", "renameat", "renameat2"],
        ["chmod", "fchmodat"],
        ["link", "linkat"],
        ["unlink", "unlinkat"],
        ["rmdir"],
        ["setuid"],
        ["setgid"],
        ["socket"],
        ["bind"],
        ["listen"],
      ];
      await live!.select(families.flat());
      const mark = col.events.length;
      const script = `
        const fs = require("fs"), net = require("net"), d = process.env.DIR + "/sub";
        fs.mkdirSync(d, 0o750);
        fs.writeFileSync(d + "/a", "x");
        fs.renameSync(d + "/a", d + "/b");
        fs.chmodSync(d + "/b", 0o640);
        fs.linkSync(d + "/b", d + "/c");
        fs.unlinkSync(d + "/c");
        fs.unlinkSync(d + "/b");
        fs.rmdirSync(d);
        process.setgid(0);
        process.setuid(0);
        const srv = net.createServer().listen(0, "127.0.0.1", () => srv.close());`;
      const pid = await new Promise<number>((res, rej) => {
        const c = spawn(process.execPath, ["-e", script], {
          env: { ...process.env, DIR: dir },
          stdio: "inherit",
        });
        c.on("error", rej);
        c.on("exit", (code) => (code === 0 ? res(c.pid!) : rej(new Error(`node child exited with ${code}`))));
      });
      await live!.sync();
      const mine = col.events.slice(mark).filter((e) => e.tid === pid);
      /** The child's event of one of `names` (syscalls) whose parameters satisfy `ok`. */
      const find = (names: string[], ok: (p: (name: string) => Buffer) => boolean): Ev => {
        const ev = mine.find((e) => {
          const info = EVENT_TABLE[e.type]!;
          if (!names.includes(info.name)) return false;
          const get = (n: string): Buffer =>
            e.params[info.params.findIndex((q) => q.name === n)] ?? Buffer.alloc(0);
          return ok(get);
        });
        assert.ok(
          ev,
          `an event of ${names.join("/")} (got ${mine.map((e) => EVENT_TABLE[e.type]!.name).join(",")})`,
        );
        return ev;
      };
      const d = join(dir, "sub");
      find(
        ["mkdir", "mkdirat"],
        (p) => str(p("path")) === d && u32(p("mode")) === 0o750 && i64(p("res")) === 0,
      );
      find(
        ["rename", "renameat", "renameat2"],
        (p) => str(p("oldpath")) === `${d}/a` && str(p("newpath")) === `${d}/b`,
      );
      find(["chmod", "fchmodat"], (p) => str(p("filename")) === `${d}/b` && u32(p("mode")) === 0o640);
      find(["link", "linkat"], (p) => str(p("oldpath")) === `${d}/b` && str(p("newpath")) === `${d}/c`);
      find(["unlink", "unlinkat"], (p) => [str(p("path")), str(p("name"))].includes(`${d}/c`));
      find(["rmdir", "unlinkat"], (p) => [str(p("path")), str(p("name"))].includes(d));
      find(["setuid"], (p) => i64(p("res")) === 0 && u32(p("uid")) === 0);
      find(["setgid"], (p) => i64(p("res")) === 0 && u32(p("gid")) === 0);
      const sock = find(["socket"], (p) => u32(p("domain")) === 2 && (u32(p("type")) & 0xf) === 1);
      const sfd = i64(sock.params[0]);
      find(["bind"], (p) => {
        const a = p("addr");
        return (
          i64(p("res")) === 0 &&
          i64(p("fd")) === sfd &&
          a.length === 7 &&
          a[0] === 2 &&
          ipv4(a, 1) === "127.0.0.1"
        );
      });
      find(["listen"], (p) => i64(p("res")) === 0 && i64(p("fd")) === sfd && u32(p("backlog")) === 511);
      assert.deepEqual(col.problems, []);
    });

    await t.test("counters: every forwarded event was delivered", async () => {
      const { stats: s, delivered } = await live!.sync();
      assert.ok(s.sent > 0);
      assert.equal(s.drops, s.dropFull + s.dropTooBig + s.dropBusy);
      // Events other processes produce between the drain and the counters read are still in flight.
      assert.ok(s.forwarded <= s.sent, "nothing forwarded that the kernel did not send");
      assert.equal(delivered, s.forwarded, "every forwarded event reached the sink");
      assert.equal(col.delivered, live!.events);
    });
  } finally {
    const stopped = live === null ? null : await (live as LiveCapture).stop();
    server.close();
    rmSync(dir, { recursive: true, force: true });
    assert.equal(stopped?.error ?? null, null);
  }
});

test(
  "live capture: a burst over the ring buffer is counted as drops",
  { skip, timeout: 60_000 },
  async () => {
    execFileSync("bash", [resolve(repoRoot, "scripts/build-probe.sh")], { stdio: "inherit" });
    const col = new Collector();
    // 1 MiB ring, drained only on request: 200k events cannot fit.
    const live = await startLiveCapture(col, {
      ringBufferMb: 1,
      drainMs: 60_000,
      syscalls: ["openat", "close"],
    });
    try {
      execFileSync(process.execPath, [
        "-e",
        "const fs=require('fs'); for (let i=0;i<100000;i++) fs.closeSync(fs.openSync('/dev/null','r'))",
      ]);
      const { stats: s, delivered } = await live.sync();
      assert.ok(s.dropFull > 0, `drops ${JSON.stringify(s)}`);
      assert.ok(s.sent + s.dropFull >= 200_000, `sent + dropped ${s.sent + s.dropFull}`);
      assert.ok(s.forwarded <= s.sent);
      assert.equal(delivered, s.forwarded);
      assert.deepEqual(col.problems, []);
    } finally {
      const r = await live.stop();
      assert.equal(r.error, null);
    }
  },
);

test("without CAP_BPF and CAP_PERFMON starting fails with LIVE_ERR_NOT_PERMITTED", { skip }, async () => {
  execFileSync("bash", [resolve(repoRoot, "scripts/build-probe.sh")], { stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "saker-live-"));
  const wrapper = join(dir, "unprivileged-probe");
  // The real loader as user nobody with every capability dropped.
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all ${resolve(repoRoot, "probe/build/saker-probe")} "$@"\n`,
    { mode: 0o755 },
  );
  try {
    await assert.rejects(startLiveCapture({ onEvent: () => {} }, { loaderPath: wrapper }), {
      code: LiveErrorCode.NOT_PERMITTED,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
