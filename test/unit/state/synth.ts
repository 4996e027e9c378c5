// Synthetic events and records for state-engine tests: parameters are built as the driver lays them
// out, wrapped in a ScapEvent view (a timestamp, then the parameter bytes) and fed to a processor.
import { EventType } from "../../../src/capture/events/table.js";
import { ScapEvent } from "../../../src/capture/scap/event.js";
import type { FdRecord, ProcessRecord } from "../../../src/capture/scap/records.js";
import type { SyscallEvent } from "../../../src/state/event.js";
import { EventProcessor, type ProcessorOptions } from "../../../src/state/processor.js";

export { EventType };

export function i64(v: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
}
export function u64(v: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}
export function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}
export function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}
export function u8(v: number): Buffer {
  return Buffer.from([v]);
}
/** A NUL-terminated string. */
export function str(s: string): Buffer {
  return Buffer.from(s + "\0", "utf8");
}
/** NUL-separated strings (args, env, cgroups). */
export function strs(list: readonly string[]): Buffer {
  return Buffer.from(list.map((s) => s + "\0").join(""), "utf8");
}
export const EMPTY = Buffer.alloc(0);

function ip4(text: string): Buffer {
  return Buffer.from(text.split(".").map(Number));
}

export function sockaddr4(ip: string, port: number): Buffer {
  return Buffer.concat([u8(2), ip4(ip), u16(port)]);
}
export function tuple4(sip: string, sport: number, dip: string, dport: number): Buffer {
  return Buffer.concat([u8(2), ip4(sip), u16(sport), ip4(dip), u16(dport)]);
}
export function tupleUnix(src: bigint, dst: bigint, path: string): Buffer {
  return Buffer.concat([u8(1), u64(src), u64(dst), str(path)]);
}

/** Params of a CLONE_20_X / FORK_20_X / VFORK_20_X / CLONE3_X exit. */
export function cloneParams(o: {
  res: number;
  exe?: string;
  args?: string[];
  tid: number;
  pid: number;
  ptid: number;
  comm?: string;
  flags?: number;
  uid?: number;
  gid?: number;
  vtid?: number;
  vpid?: number;
  cgroups?: string[];
}): Buffer[] {
  return [
    i64(o.res),
    str(o.exe ?? "bash"),
    strs(o.args ?? []),
    i64(o.tid),
    i64(o.pid),
    i64(o.ptid),
    str(""),
    i64(1024),
    u64(0),
    u64(0),
    u32(100),
    u32(10),
    u32(0),
    str(o.comm ?? o.exe ?? "bash"),
    strs(o.cgroups ?? []),
    u32(o.flags ?? 0),
    u32(o.uid ?? 0),
    u32(o.gid ?? 0),
    i64(o.vtid ?? o.tid),
    i64(o.vpid ?? o.pid),
  ];
}

/** Params of an EXECVE_19_X exit. */
export function execveParams(o: {
  res?: number;
  exe: string;
  args?: string[];
  tid: number;
  pid: number;
  ptid: number;
  comm?: string;
  env?: string[];
  cgroups?: string[];
  loginuid?: number;
  flags?: number;
}): Buffer[] {
  return [
    i64(o.res ?? 0),
    str(o.exe),
    strs(o.args ?? []),
    i64(o.tid),
    i64(o.pid),
    i64(o.ptid),
    str(""),
    i64(1024),
    u64(0),
    u64(0),
    u32(100),
    u32(10),
    u32(0),
    str(o.comm ?? o.exe),
    strs(o.cgroups ?? []),
    strs(o.env ?? []),
    u32(0),
    i64(o.pid),
    u32(o.loginuid ?? 0xffffffff),
    u32(o.flags ?? 0),
  ];
}

export function processRecord(p: Partial<ProcessRecord> & { tid: number }): ProcessRecord {
  return {
    kind: "process",
    blockOffset: 0,
    blockVersion: 9,
    tid: p.tid,
    pid: p.pid ?? p.tid,
    ptid: p.ptid ?? 1,
    sid: p.sid ?? -1,
    vpgid: p.vpgid ?? -1,
    pgid: p.pgid ?? -1,
    comm: p.comm ?? "proc" + p.tid,
    exe: p.exe ?? "proc" + p.tid,
    exepath: p.exepath ?? "/usr/bin/proc" + p.tid,
    args: p.args ?? [],
    cwd: p.cwd ?? "/",
    fdlimit: p.fdlimit ?? 1024,
    flags: p.flags ?? 0,
    uid: p.uid ?? 0,
    gid: p.gid ?? 0,
    vmsizeKb: 0,
    vmrssKb: 0,
    vmswapKb: 0,
    pfmajor: 0,
    pfminor: 0,
    env: p.env ?? [],
    vtid: p.vtid ?? p.tid,
    vpid: p.vpid ?? p.pid ?? p.tid,
    cgroups: p.cgroups ?? [],
    root: "/",
    pidnsInitStartTs: 0n,
    tty: 0,
    loginuid: p.loginuid ?? 0xffffffff,
    exeWritable: false,
    capInheritable: 0n,
    capPermitted: 0n,
    capEffective: 0n,
    exeUpperLayer: false,
    exeLowerLayer: false,
    exeFromMemfd: false,
    exeIno: 0n,
    exeInoCtime: 0n,
    exeInoMtime: 0n,
  };
}

export function fileFdRecord(tid: number, fd: number, name: string): FdRecord {
  return {
    kind: "fd",
    blockOffset: 0,
    tid,
    fd,
    ino: 0n,
    type: 16,
    rawType: 16,
    name,
    openFlags: 1,
    dev: 0,
    sip: "",
    dip: "",
    sport: 0,
    dport: 0,
    l4proto: 0,
    unixSource: 0n,
    unixDest: 0n,
  };
}

/** A processor and a clock: `emit` builds one event, processes it and returns the context. */
export class Synth {
  readonly processor: EventProcessor;
  ts = 1_700_000_000_000_000_000n;
  private readonly view = new ScapEvent();

  constructor(options: ProcessorOptions = {}) {
    this.processor = new EventProcessor(options);
  }

  get state() {
    return this.processor.state;
  }

  record(...records: (ProcessRecord | FdRecord)[]): this {
    for (const r of records) this.processor.onRecord(r);
    return this;
  }

  emit(tid: number, type: number, params: readonly Buffer[] = [], stepNs = 1000n): SyscallEvent {
    this.ts += stepNs;
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(this.ts);
    const buf = Buffer.concat([head, ...params]);
    const v = this.view;
    v.buf = buf;
    v.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    v.off = 0;
    v.type = type;
    v.tid = tid;
    v.nparams = params.length;
    v.cpu = 0;
    v.flags = 0;
    if (v.paramOff.length < params.length) {
      v.paramOff = new Uint32Array(params.length);
      v.paramLength = new Uint32Array(params.length);
    }
    let pos = 8;
    params.forEach((p, i) => {
      v.paramOff[i] = pos;
      v.paramLength[i] = p.length;
      pos += p.length;
    });
    return this.processor.process(v);
  }

  /** An enter event followed by its exit event. */
  pair(
    tid: number,
    enter: number,
    enterParams: readonly Buffer[],
    exitParams: readonly Buffer[],
  ): SyscallEvent {
    this.emit(tid, enter, enterParams);
    return this.emit(tid, enter + 1, exitParams);
  }
}
