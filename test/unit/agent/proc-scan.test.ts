// The initial state from /proc: parsers of each file libscap reads, a scan of a made-up /proc where
// processes vanish half-way, and a scan of the real /proc checked against this very process.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  anonInodeType,
  openFlagsToScap,
  parseCgroupFile,
  parseGroup,
  parseInetLine,
  parseOpenFilesLimit,
  parsePasswd,
  parseStat,
  parseStatus,
  parseUnixLine,
  procScanRecords,
  scanProc,
} from "../../../src/state/proc-scan.js";
import { EventProcessor } from "../../../src/state/processor.js";

const FdT = {
  FILE_V2: 16,
  DIRECTORY: 2,
  IPV4_SOCK: 3,
  IPV4_SERVSOCK: 5,
  IPV6_SERVSOCK: 6,
  FIFO: 7,
  UNIX_SOCK: 8,
  EVENT: 9,
  UNSUPPORTED: 10,
  EVENTPOLL: 12,
  BPF: 17,
};

test("status: effective ids, capabilities, memory, innermost namespace ids", () => {
  const s = parseStatus(
    "Name:\tbash\nTgid:\t120\nPid:\t121\nPPid:\t7\nUid:\t1000\t0\t0\t0\nGid:\t100\t50\t50\t50\n" +
      "VmSize:\t  1024 kB\nVmRSS:\t 512 kB\nVmSwap:\t 4 kB\nNStgid:\t120\t5\nNSpid:\t121\t6\nNSpgid:\t120\t5\n" +
      "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000000c000000000\n",
  );
  assert.equal(s.tgid, 120);
  assert.equal(s.ppid, 7);
  assert.equal(s.uid, 0, "effective uid, as libscap");
  assert.equal(s.gid, 50);
  assert.equal(s.vmsize, 1024);
  assert.equal(s.vmrss, 512);
  assert.equal(s.vmswap, 4);
  assert.equal(s.vpid, 5);
  assert.equal(s.vtid, 6);
  assert.equal(s.pgid, 120);
  assert.equal(s.vpgid, 5);
  assert.equal(s.capPrm, 0x1ffffffffffn);
  assert.equal(s.capEff, 0xc000000000n);
});

test("stat: fields after the command name, even one with spaces and parentheses", () => {
  const s = parseStat("42 (a (b) c) S 1 40 39 34816 40 4194304 123 0 7 0 1 2 0 0 20 0 1 0 100");
  assert.deepEqual(s, { pgid: 40, sid: 39, tty: 34816, minflt: 123, majflt: 7 });
});

test("limits, cgroups, open flags, anon inodes", () => {
  assert.equal(
    parseOpenFilesLimit("Limit  Soft Limit Hard Limit Units\nMax open files  1024  4096  files\n"),
    1024,
  );
  assert.equal(parseOpenFilesLimit("Max open files  unlimited  unlimited  files\n"), -1);
  assert.deepEqual(
    parseCgroupFile("4:memory:/docker/abc\n3:cpu,cpuacct:/x\n1:name=systemd:/\n0::/init.scope\n", () => []),
    ["memory=/docker/abc", "cpu=/x", "cpuacct=/x", "name=systemd=/"],
  );
  assert.deepEqual(
    parseCgroupFile("0::/user.slice\n", () => ["cpu", "io"]),
    ["cpu=/user.slice", "io=/user.slice"],
  );
  // O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC -> PPM_O_WRONLY|CREAT|TRUNC|CLOEXEC
  assert.equal(openFlagsToScap(0o2001101), 2 | 4 | 256 | 4096);
  assert.equal(openFlagsToScap(0o200000), 1 | 1024, "O_DIRECTORY alone is no O_TMPFILE");
  assert.equal(anonInodeType("anon_inode:[eventfd]"), FdT.EVENT);
  assert.equal(anonInodeType("anon_inode:bpf-prog"), FdT.BPF);
  assert.equal(anonInodeType("anon_inode:[perf_event]"), FdT.UNSUPPORTED);
});

test("socket tables: addresses in the kernel's word order, server sockets, unix paths", () => {
  const tcp = parseInetLine(
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0",
    2,
    false,
  );
  assert.ok(tcp !== null);
  assert.equal(tcp[0], "4242");
  assert.deepEqual(
    { ...tcp[1], unixSource: 0n },
    {
      type: FdT.IPV4_SERVSOCK,
      sip: "127.0.0.1",
      dip: "",
      sport: 8080,
      dport: 0,
      l4proto: 2,
      unixSource: 0n,
      name: "",
    },
  );
  const est = parseInetLine(
    "   1: 0100007F:9C40 0200A8C0:0050 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0 20 4 30 10 -1",
    2,
    false,
  );
  assert.equal(est![1].type, FdT.IPV4_SOCK);
  assert.equal(est![1].dip, "192.168.0.2");
  assert.equal(est![1].dport, 80);
  const v6 = parseInetLine(
    "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0 100 0 0 10 0",
    2,
    true,
  );
  assert.equal(v6![1].type, FdT.IPV6_SERVSOCK);
  assert.equal(v6![1].sip, "::1");
  const ux = parseUnixLine("ffff8a0b4c3d2e00: 00000002 00000000 00010000 0001 01 5151 /run/some socket");
  assert.equal(ux![0], "5151");
  assert.equal(ux![1].name, "/run/some socket");
  assert.equal(ux![1].unixSource, 0xffff8a0b4c3d2e00n);
  assert.equal(parseInetLine("  sl  local_address rem_address   st tx_queue rx_queue", 2, false), null);
});

test("passwd and group, bounded and deduplicated", () => {
  const users = parsePasswd(
    "root:x:0:0:root:/root:/bin/bash\n# comment\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\nroot2:x:0:0::/:/bin/sh\nbad\n",
    10,
  );
  assert.deepEqual(
    users.map((u) => [u.name, u.uid, u.gid, u.homedir, u.shell]),
    [
      ["root", 0, 0, "/root", "/bin/bash"],
      ["nobody", 65534, 65534, "/nonexistent", "/usr/sbin/nologin"],
    ],
  );
  assert.equal(parsePasswd("a:x:1:1::/:/\nb:x:2:2::/:/\n", 1).length, 1);
  assert.deepEqual(
    parseGroup("root:x:0:\nadm:x:4:syslog\n", 10).map((g) => [g.name, g.gid]),
    [
      ["root", 0],
      ["adm", 4],
    ],
  );
});

/** A made-up /proc: pid 10 complete, pid 20 gone between listing and reading, pid 30 a kernel thread. */
function fakeProc(): string {
  const root = mkdtempSync(join(tmpdir(), "saker-fakeproc-"));
  const p10 = join(root, "10");
  mkdirSync(join(p10, "task", "10"), { recursive: true });
  mkdirSync(join(p10, "task", "11"), { recursive: true });
  mkdirSync(join(p10, "fd"));
  mkdirSync(join(p10, "net"));
  writeFileSync(join(p10, "cmdline"), "/usr/bin/demo\0--flag\0value\0");
  writeFileSync(join(p10, "comm"), "demo\n");
  writeFileSync(join(p10, "environ"), "A=1\0B=2\0");
  writeFileSync(
    join(p10, "status"),
    "Tgid:\t10\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpgid:\t10\n",
  );
  writeFileSync(join(p10, "stat"), "10 (demo) S 1 10 10 0 -1 0 5 0 2 0");
  writeFileSync(join(p10, "loginuid"), "1000");
  symlinkSync("/usr/bin/demo", join(p10, "exe"));
  symlinkSync("/srv", join(p10, "cwd"));
  symlinkSync("/", join(p10, "root"));
  const target = join(root, "datafile");
  writeFileSync(target, "x");
  symlinkSync(target, join(p10, "fd", "3"));
  // Thread 11: status present, cmdline present.
  const t11 = join(p10, "task", "11");
  writeFileSync(join(t11, "cmdline"), "/usr/bin/demo\0");
  writeFileSync(join(t11, "comm"), "worker\n");
  writeFileSync(join(t11, "status"), "Tgid:\t10\nPPid:\t1\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
  writeFileSync(join(t11, "stat"), "11 (worker) S 1 10 10 0");
  // Process 20: its directory is listed but its files are gone (it exited mid-scan).
  mkdirSync(join(root, "20"));
  writeFileSync(join(root, "20", "cmdline"), "/bin/gone\0");
  // Process 30: a kernel thread (no cmdline, no exe link).
  mkdirSync(join(root, "30"));
  writeFileSync(join(root, "30", "cmdline"), "");
  writeFileSync(join(root, "30", "status"), "Tgid:\t30\n");
  return root;
}

test("a scan tolerates processes vanishing mid-way and skips kernel threads", () => {
  const root = fakeProc();
  const r = scanProc({ procRoot: root, etcRoot: root });
  assert.deepEqual(
    r.processes.map((p) => [p.tid, p.pid, p.comm]),
    [
      [10, 10, "demo"],
      [11, 10, "worker"],
    ],
  );
  assert.equal(r.counters.vanished, 1);
  assert.equal(r.counters.kernelThreads, 1);
  const p = r.processes[0]!;
  assert.equal(p.exe, "/usr/bin/demo");
  assert.deepEqual(p.args, ["--flag", "value"]);
  assert.deepEqual(p.env, ["A=1", "B=2"]);
  assert.equal(p.cwd, "/srv");
  assert.equal(p.loginuid, 1000);
  assert.equal(p.vpgid, 10, "host processes get their pgid as vpgid");
  assert.equal(r.processes[1]!.flags & (1 << 13), 1 << 13, "other threads are CLONE_THREAD|CLONE_FILES");
  assert.equal(r.fds.length, 1);
  assert.equal(r.fds[0]!.type, FdT.FILE_V2);
  assert.equal(r.fds[0]!.tid, 10);
  assert.ok(r.fds[0]!.name.endsWith("/datafile"));
});

test("the thread limit bounds the scan and marks it truncated", () => {
  const root = fakeProc();
  const r = scanProc({ procRoot: root, etcRoot: root, maxThreads: 1 });
  assert.equal(r.processes.length, 1);
  assert.equal(r.truncated, true);
});

test("a scan of the real /proc describes this process, its fds and sockets, and feeds the state engine", async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "saker-scan-")));
  const file = join(dir, "open-file");
  writeFileSync(file, "x");
  const fd = openSync(file, "r");
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    const r = scanProc();
    const me = r.processes.find((p) => p.tid === process.pid);
    assert.ok(me !== undefined, "this process is in the scan");
    assert.equal(me.pid, process.pid);
    assert.equal(me.ptid, process.ppid);
    assert.equal(me.comm, "node");
    assert.equal(me.exepath, realpathSync(process.execPath));
    assert.equal(me.cwd, process.cwd());
    assert.deepEqual(me.args, process.argv.slice(1).length > 0 ? me.args : []);
    assert.equal(me.uid, process.geteuid!());
    const mine = r.fds.filter((f) => f.tid === process.pid);
    const f = mine.find((x) => x.fd === fd);
    assert.ok(f !== undefined && f.type === FdT.FILE_V2 && f.name === file, "the open file, by name");
    assert.equal(f.openFlags & 3, 1, "opened read-only");
    const s = mine.find((x) => x.type === FdT.IPV4_SERVSOCK && x.sport === port);
    assert.ok(s !== undefined, "the listening socket, from /proc/net/tcp");
    assert.equal(s.sip, "127.0.0.1");
    assert.ok(r.users.some((u) => u.uid === 0 && u.name === "root"));
    assert.ok(r.machine.numCpus >= 1 && r.machine.bootTsEpoch > 0n);

    const proc = new EventProcessor();
    for (const rec of procScanRecords(r)) proc.onRecord(rec);
    proc.state.finishImport();
    const t = proc.state.find(process.pid);
    assert.ok(t !== undefined);
    assert.equal(t.comm, "node");
    assert.equal(proc.state.fdTable(t)?.get(fd)?.name, file);
    assert.equal(proc.state.users.get(0)?.name, "root");
  } finally {
    closeSync(fd);
    server.close();
  }
});
