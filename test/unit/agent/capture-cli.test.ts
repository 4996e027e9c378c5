// `saker capture`'s checks that come before the probe, and the fd types written for old readers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { captureCommand, readableFdRecord } from "../../../src/cli/commands/capture.js";
import type { FdRecord } from "../../../src/capture/scap/records.js";

async function run(
  filter: string[],
  opts: { write: string; duration?: string },
): Promise<{ code: number; err: string }> {
  let err = "";
  const code = await captureCommand(filter, opts, { stderr: (t) => void (err += t) });
  return { code, err };
}

test("an invalid filter or duration is refused with its code before anything starts", async () => {
  const a = await run(["proc.name", "=", "cat", "and"], { write: "/nonexistent/x.scap" });
  assert.equal(a.code, 1);
  assert.match(a.err, /\(SAKER_CAPTURE_FILTER\)\n$/);
  const b = await run(["no.such.field", "=", "1"], { write: "/nonexistent/x.scap" });
  assert.match(b.err, /\(SAKER_CAPTURE_FILTER\)\n$/);
  const c = await run([], { write: "/nonexistent/x.scap", duration: "-3" });
  assert.match(c.err, /\(SAKER_CAPTURE_DURATION\)\n$/);
});

test("an output file that cannot be created is refused (SAKER_CAPTURE_WRITE)", async () => {
  const r = await run([], { write: "/nonexistent-dir/x.scap" });
  assert.equal(r.code, 1);
  assert.match(r.err, /\(SAKER_CAPTURE_WRITE\)\n$/);
});

test("fd types sysdig 0.29.3 cannot read are written as ones it can", () => {
  const base: FdRecord = {
    kind: "fd",
    blockOffset: 0,
    tid: 1,
    fd: 3,
    ino: 1n,
    type: 20,
    rawType: 20,
    name: "/memfd:x (deleted)",
    openFlags: 0,
    dev: 0,
    sip: "",
    dip: "",
    sport: 0,
    dport: 0,
    l4proto: 0,
    unixSource: 0n,
    unixDest: 0n,
  };
  assert.equal(readableFdRecord(base).type, 16, "memfd -> file, name kept");
  assert.equal(readableFdRecord(base).name, "/memfd:x (deleted)");
  assert.equal(readableFdRecord({ ...base, type: 17, rawType: 17 }).type, 10, "bpf -> unsupported");
  const file = { ...base, type: 16, rawType: 16 } as FdRecord;
  assert.equal(readableFdRecord(file), file);
});
