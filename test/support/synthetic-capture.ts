// A synthetic capture for load: `opens` open enter/exit pairs by a few threads, the odd ones of
// /etc/passwd, the even ones of /tmp/x. Written with Saker's own scap writer (so it is also a check that
// what it writes reads back). Used by the reload-under-load test and the outputs benchmark.
import { EventType } from "../../src/capture/events/table.js";
import { MemorySink, ScapWriter } from "../../src/capture/scap/writer.js";

export function openPairsCapture(opens: number): Buffer {
  const sink = new MemorySink();
  const w = new ScapWriter(sink);
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  const i64 = (n: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n));
    return b;
  };
  const paths = [Buffer.from("/tmp/x\0"), Buffer.from("/etc/passwd\0")];
  let ts = 1_700_000_000_000_000_000n;
  for (let i = 0; i < opens; i++) {
    const path = paths[i & 1]!;
    const tid = 100 + (i % 7);
    w.writeEventFields({ ts, tid, type: EventType.SYSCALL_OPEN_E, params: [path, u32(0), u32(0)] });
    ts += 500n;
    w.writeEventFields({
      ts,
      tid,
      type: EventType.SYSCALL_OPEN_X,
      params: [i64(3), path, u32(0), u32(0), u32(0), i64(0)],
    });
    ts += 500n;
  }
  const closed = w.close();
  if (closed.error !== null) throw new Error(`synthetic capture: ${closed.error.message}`);
  return sink.data();
}
