// Every corpus capture reads completely: event block counts match the corpus README, metadata
// records are present and consistent, and decoded events match what sysdig 0.29.3 prints.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { EVENT_TABLE, EventType, isGenericEvent, syscallName } from "../../../src/capture/events/table.js";
import { readScapBuffer, readScapFile, type ScapRecord } from "../../../src/capture/scap/reader.js";
import { corpusPath } from "../../support/paths.js";

/** "event blocks" column of captures/README.md (curl_google_comments: same events as curl_google). */
const EVENT_BLOCKS: [string, number][] = [
  ["cat_write.scap", 345],
  ["connect_localhost.scap", 374],
  ["empty.scap", 143],
  ["open-multiple-files.scap", 1272],
  ["ping_sendto.scap", 1526],
  ["syscall.scap", 368],
  ["empty_legacy.scap", 83],
  ["psp_privileged.scap", 2059],
  ["psp_run_as_user_0_container.scap", 4143],
  ["psp_run_as_user_65534_container.scap", 241],
  ["psp_write_tmp_test.scap", 229],
  ["curl_google.scap", 1536],
  ["curl_google_comments.scap", 1536],
  ["single_ipv6_conn.scap", 1728],
  ["test_ipv6_client.scap", 326],
  ["sample.scap", 572],
];

interface Summary {
  events: number;
  types: number[];
  records: ScapRecord[];
}

async function summarize(file: string): Promise<Summary & { error: unknown }> {
  const types: number[] = [];
  const records: ScapRecord[] = [];
  const res = await readScapFile(corpusPath("captures", file), {
    onEvent(ev) {
      types.push(ev.type);
    },
    onRecord(r) {
      records.push(r);
    },
  });
  return { events: res.events, types, records, error: res.error };
}

for (const [file, expected] of EVENT_BLOCKS) {
  test(`${file}: ${expected} event blocks, sane metadata`, async () => {
    const s = await summarize(file);
    assert.equal(s.error, null);
    assert.equal(s.events, expected);
    assert.equal(s.types.length, expected);

    const kinds = (k: ScapRecord["kind"]): ScapRecord[] => s.records.filter((r) => r.kind === k);
    assert.equal(kinds("section").length, 1);
    assert.equal(s.records[0]!.kind, "section");
    assert.equal(kinds("machine").length, 1);
    assert.equal(kinds("unknown").length, 0);
    const procs = s.records.filter((r) => r.kind === "process");
    assert.ok(procs.length >= 50 && procs.length <= 300, `process count ${procs.length}`);
    const tids = new Set(procs.map((p) => p.tid));
    assert.equal(tids.size, procs.length, "process tids are unique");
    assert.ok(tids.has(1), "init is listed");
    for (const p of procs) {
      assert.ok(p.tid > 0 && p.pid > 0 && p.ptid >= 0, `ids of ${p.tid}`);
      assert.ok(p.comm.length > 0 && p.comm.length <= 16, `comm of ${p.tid}: ${p.comm}`);
    }
    const fds = s.records.filter((r) => r.kind === "fd");
    assert.ok(fds.length > 0);
    for (const f of fds) assert.ok(tids.has(f.tid), `fd ${f.fd} belongs to a listed thread ${f.tid}`);
    assert.ok(kinds("user").length > 0 && kinds("group").length > 0);
    assert.ok(kinds("interface").some((r) => r.kind === "interface" && r.addr === "127.0.0.1"));
    // Every event type is one the table knows.
    for (const t of s.types) assert.ok(t < EVENT_TABLE.length, `type ${t}`);
  });
}

test("curl_google_comments.scap: SHB options are read and events equal curl_google.scap's", async () => {
  const a = await summarize("curl_google_comments.scap");
  const b = await summarize("curl_google.scap");
  const shb = a.records[0]!;
  assert.equal(shb.kind, "section");
  if (shb.kind === "section") {
    assert.deepEqual(shb.comments, ["File-level comment"]);
    assert.deepEqual(
      shb.options.map((o) => o.code),
      [1, 4],
    );
    assert.match(shb.options[1]!.value, /^Editcap \(Wireshark\)/);
  }
  assert.deepEqual(a.types, b.types);
  assert.equal(a.records.length, b.records.length);
});

test("sample.scap starts with 95 user/group added events (libs 2023 metaevents)", async () => {
  const s = await summarize("sample.scap");
  const head = s.types.slice(0, 95);
  assert.ok(head.every((t) => t === EventType.USER_ADDED_E || t === EventType.GROUP_ADDED_E));
  assert.notEqual(s.types[95], EventType.USER_ADDED_E);
});

test("process list block versions v5..v9 decode their version-specific fields", async () => {
  const cases: [string, number, (p: Extract<ScapRecord, { kind: "process" }>) => boolean][] = [
    ["curl_google.scap", 5, (p) => p.root === "/" && p.sid === -1],
    ["cat_write.scap", 6, (p) => p.sid >= 0 && p.exepath === ""],
    ["connect_localhost.scap", 7, (p) => p.exepath.startsWith("/") && p.vpgid === -1],
    ["syscall.scap", 8, (p) => p.vpgid >= 0],
    ["empty.scap", 9, (p) => p.loginuid !== undefined && p.vpgid >= 0],
  ];
  for (const [file, version, check] of cases) {
    const s = await summarize(file);
    const init = s.records.find((r) => r.kind === "process" && r.tid === 1);
    assert.ok(init !== undefined && init.kind === "process", file);
    assert.equal(init.blockVersion, version, file);
    assert.equal(init.comm.length > 0, true);
    assert.ok(
      check(init),
      `${file}: ${JSON.stringify(init, (_k, v) => (typeof v === "bigint" ? `${v}` : v))}`,
    );
  }
});

test("streaming in tiny chunks gives the same events as reading the whole buffer", async () => {
  for (const file of ["cat_write.scap", "empty_legacy.scap", "sample.scap"]) {
    const whole: string[] = [];
    const raw = readFileSync(corpusPath("captures", file));
    const r1 = readScapBuffer(raw, {
      onEvent(ev) {
        whole.push(`${ev.ts}/${ev.tid}/${ev.type}/${ev.nparams}/${ev.len}`);
      },
    });
    const streamed: string[] = [];
    const r2 = await readScapFile(
      corpusPath("captures", file),
      {
        onEvent(ev) {
          streamed.push(`${ev.ts}/${ev.tid}/${ev.type}/${ev.nparams}/${ev.len}`);
        },
      },
      { chunkSize: 37 },
    );
    assert.equal(r1.error, null);
    assert.equal(r2.error, null);
    assert.deepEqual(streamed, whole, file);
    assert.equal(r1.bytes, r2.bytes);
  }
});

test("a sink can stop reading early", async () => {
  let n = 0;
  const res = await readScapFile(corpusPath("captures", "ping_sendto.scap"), {
    onEvent() {
      return ++n < 10;
    },
  });
  assert.equal(res.events, 10);
  assert.equal(res.stopped, true);
  assert.equal(res.error, null);
});

// ---------------------------------------------------------------------------------------------
// Cross-check against sysdig 0.29.3 (Debian package `sysdig`), when it is installed. The files
// are those where sysdig lists every event block (README: "event blocks" = "listed sysdig -D").

function hasSysdig(): boolean {
  try {
    execFileSync("sysdig", ["--version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

const SYSDIG_FILES = [
  "cat_write.scap",
  "connect_localhost.scap",
  "empty.scap",
  "ping_sendto.scap",
  "syscall.scap",
  "psp_privileged.scap",
  "curl_google.scap",
  "single_ipv6_conn.scap",
  "test_ipv6_client.scap",
];

test("events match sysdig -D: number, timestamp, cpu, tid, type name, direction", async (t) => {
  if (!hasSysdig()) {
    t.skip("sysdig not installed (apt-get install -y sysdig)");
    return;
  }
  for (const file of SYSDIG_FILES) {
    const path = corpusPath("captures", file);
    const fmt = "%evt.num %evt.rawtime %evt.cpu %thread.tid %evt.type %evt.dir";
    const expected = execFileSync("sysdig", ["-D", "-r", path, "-p", fmt], {
      env: { ...process.env, TZ: "UTC" },
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 1 << 28,
    })
      .toString()
      .split("\n")
      .filter((l) => /^\d+ /.test(l));
    const got: string[] = [];
    await readScapFile(path, {
      onEvent(ev) {
        let name = EVENT_TABLE[ev.type]!.name;
        if (isGenericEvent(ev.type)) {
          const id = ev.paramInt(0) ?? 0;
          // sysdig prints the unknown syscall id 0 as "<unknown>".
          name = id === 0 ? "<unknown>" : (syscallName(id) ?? "<unknown>");
        }
        got.push(`${ev.index + 1} ${ev.ts} ${ev.cpu} ${ev.tid} ${name} ${ev.type % 2 === 0 ? ">" : "<"}`);
      },
    });
    assert.equal(got.length, expected.length, file);
    for (let i = 0; i < got.length; i++) assert.equal(got[i], expected[i], `${file} line ${i + 1}`);
  }
});
