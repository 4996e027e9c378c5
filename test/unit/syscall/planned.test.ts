// The checks the syscall source plans itself (fields/syscall/extract/planned.ts) against the engine's
// general plan of the same condition: `evt.arg.NAME contains|=|!=|in CONST` on every flags, enum-flags
// and mode parameter of the event table, for every name of its flag table (and a few constants that are
// no name), over every value of the table, every pair of them, the full mask and random values, in both
// the default and the sysdig-compatible lookups; and `evt.type` checks over every event code. Both plans
// must agree on every event.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderedParamInfo } from "../../../src/capture/events/render.js";
import { EVENT_TABLE, EventType, ParamType } from "../../../src/capture/events/table.js";
import { ScapEvent } from "../../../src/capture/scap/event.js";
import { compileCondition, type Predicate } from "../../../src/engine/compile.js";
import type { EventSource } from "../../../src/engine/source.js";
import { createSyscallSource } from "../../../src/fields/syscall/source.js";
import { parseCondition } from "../../../src/rules/language/parser.js";
import { SyscallEvent } from "../../../src/state/event.js";
import { EventProcessor } from "../../../src/state/processor.js";

const SIZES: ReadonlyMap<ParamType, number> = new Map([
  [ParamType.FLAGS8, 1],
  [ParamType.ENUMFLAGS8, 1],
  [ParamType.FLAGS16, 2],
  [ParamType.ENUMFLAGS16, 2],
  [ParamType.FLAGS32, 4],
  [ParamType.ENUMFLAGS32, 4],
  [ParamType.MODE, 4],
]);

/** A reusable event of one code: every parameter 8 zero bytes, parameter `index` `size` bytes. */
class Probe {
  readonly e: SyscallEvent;
  private readonly ev: ScapEvent;

  constructor() {
    this.e = new SyscallEvent(new EventProcessor().state);
    this.ev = this.e.ev;
  }

  set(code: number, nparams: number, index: number, size: number, value: number): SyscallEvent {
    const ev = this.ev;
    const buf = Buffer.alloc(8 * nparams + 8);
    let pos = 8;
    for (let i = 0; i < nparams; i++) {
      const len = i === index ? size : 8;
      ev.paramOff[i] = pos;
      ev.paramLength[i] = len;
      if (i === index && size > 0) buf.writeUIntLE(value, pos, Math.min(size, 4));
      pos += len;
    }
    ev.buf = buf;
    ev.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    ev.type = code;
    ev.nparams = nparams;
    return this.e;
  }
}

function plan(source: EventSource<SyscallEvent>, condition: string): Predicate<SyscallEvent> {
  const parsed = parseCondition(condition);
  assert.ok(parsed.ok, condition);
  const c = compileCondition(parsed.expr, source);
  assert.ok(c.ok, condition);
  return c.predicate;
}

/** Deterministic pseudo-random 32-bit values. */
function* random(seed: number, n: number): Generator<number> {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    yield x;
  }
}

interface FlagParam {
  readonly code: number;
  readonly index: number;
  readonly name: string;
  readonly size: number;
  readonly values: readonly number[];
  readonly names: readonly string[];
}

/** Every flags/enum-flags/mode parameter, under both its current and its rendered (sysdig) name. */
function flagParams(): FlagParam[] {
  const out: FlagParam[] = [];
  for (let code = 0; code < EVENT_TABLE.length; code++) {
    const params = EVENT_TABLE[code]!.params;
    for (let index = 0; index < params.length; index++) {
      const info = renderedParamInfo(code, index)!;
      const size = SIZES.get(info.type);
      if (size === undefined || info.flags === null) continue;
      const entries = info.flags.entries;
      const both = new Set([params[index]!.name, info.name]);
      for (const name of both) {
        out.push({
          code,
          index,
          name,
          size,
          values: entries.map((x) => x.value),
          names: entries.map((x) => x.name),
        });
      }
    }
  }
  return out;
}

function valuesOf(p: FlagParam, pairs: boolean): number[] {
  const limit = p.size === 4 ? 0xffffffff : 2 ** (8 * p.size) - 1;
  const out = new Set<number>([0, limit]);
  for (const v of p.values) out.add(v);
  if (pairs) for (const a of p.values) for (const b of p.values) out.add((a | b) >>> 0);
  const rnd = [...random(p.code * 31 + p.index + 7, 400)];
  for (let i = 0; i < rnd.length; i += 2) {
    // A random subset of the table's bits, and a random word.
    let v = 0;
    for (let k = 0; k < p.values.length; k++) if ((rnd[i]! >>> (k % 32)) & 1) v |= p.values[k]!;
    out.add(v >>> 0);
    out.add(rnd[i + 1]!);
  }
  return [...out].map((v) => (p.size === 4 ? v >>> 0 : v & limit));
}

for (const sysdigCompat of [false, true]) {
  test(`evt.arg flags checks planned on bits agree with the rendered text (sysdigCompat ${sysdigCompat})`, () => {
    const source = createSyscallSource({ sysdigCompat });
    const general: EventSource<SyscallEvent> = { ...source, planCheck: undefined };
    const probe = new Probe();
    const seenTables = new Set<string>();
    let compared = 0;
    const params = flagParams();
    assert.ok(params.some((p) => p.name === "flags" && p.names.includes("O_CREAT")));
    for (const p of params) {
      const tableKey = `${p.name}:${p.names.join(",")}:${p.values.join(",")}`;
      const firstOfTable = !seenTables.has(tableKey);
      seenTables.add(tableKey);
      const values = valuesOf(p, firstOfTable);
      const constants = [...new Set(p.names)];
      if (firstOfTable) constants.push("CREAT", "O_", "NA", "_", "none");
      const conditions: string[] = [];
      for (const c of constants) {
        const q = JSON.stringify(c);
        conditions.push(`evt.arg.${p.name} contains ${q}`);
        if (firstOfTable) conditions.push(`evt.arg.${p.name} = ${q}`);
      }
      if (constants.length >= 2) {
        const [a, b] = [JSON.stringify(constants[0]), JSON.stringify(constants[constants.length - 1])];
        conditions.push(`evt.arg.${p.name} != ${a}`, `evt.arg.${p.name} in (${a}, ${b})`);
      }
      const nparams = EVENT_TABLE[p.code]!.params.length;
      for (const condition of conditions) {
        const fast = plan(source, condition);
        const slow = plan(general, condition);
        const check = (e: SyscallEvent, what: string): void => {
          const want = slow(e);
          if (fast(e) !== want) {
            assert.fail(
              `${condition} on event ${p.code} (${EVENT_TABLE[p.code]!.name}) ${what}: general says ${want}`,
            );
          }
          compared++;
        };
        for (const v of values) check(probe.set(p.code, nparams, p.index, p.size, v), `value ${v}`);
        // Too short for its type (<NA>), and absent.
        check(probe.set(p.code, nparams, p.index, p.size - 1, 0), "short");
        check(probe.set(p.code, p.index, -1, 0, 0), "absent");
      }
    }
    assert.ok(compared > 100_000, `${compared} comparisons`);
  });
}

test("flags checks on names are planned on bits; others are left to the general plan", () => {
  const source = createSyscallSource();
  const planned = (condition: string): boolean => {
    const parsed = parseCondition(condition);
    assert.ok(parsed.ok);
    let called = false;
    const spy: EventSource<SyscallEvent> = {
      ...source,
      planCheck: (field, op, constants, general) => {
        const p = source.planCheck!(field, op, constants, general);
        called ||= p !== undefined;
        return p;
      },
    };
    assert.ok(compileCondition(parsed.expr, spy).ok);
    return called;
  };
  assert.equal(planned("evt.arg.flags contains O_CREAT"), true);
  assert.equal(planned('evt.arg.flags contains "O_TRUNC"'), true);
  assert.equal(planned("evt.arg.flags = O_RDONLY"), true);
  assert.equal(planned("evt.type in (open, openat, openat2)"), true);
  // The number printed when no flag is named could match these.
  assert.equal(planned("evt.arg.flags contains 1"), false);
  assert.equal(planned("evt.arg.flags contains A"), false);
  assert.equal(planned('evt.arg.flags contains "O_RDONLY|O_CLOEXEC"'), false);
  assert.equal(planned("evt.arg.flags startswith O_"), false);
  assert.equal(planned("tolower(evt.arg.flags) contains o_creat"), false);
});

for (const sysdigCompat of [false, true]) {
  test(`evt.type checks planned by event code agree with the type name (sysdigCompat ${sysdigCompat})`, () => {
    const source = createSyscallSource({ sysdigCompat });
    const general: EventSource<SyscallEvent> = { ...source, planCheck: undefined };
    const probe = new Probe();
    const conditions = [
      "evt.type = open",
      "evt.type == openat",
      "evt.type != close",
      "evt.type in (open, openat, openat2, execve)",
      "evt.type in (scapevent, NA)",
      "evt.type = NA",
      "evt.type in (mmap)",
    ];
    for (const condition of conditions) {
      const fast = plan(source, condition);
      const slow = plan(general, condition);
      for (let code = 0; code < EVENT_TABLE.length + 3; code++) {
        const ids = code <= EventType.GENERIC_X ? [0, 2, 9, 257, 400, 65535] : [0];
        for (const id of ids) {
          const e = probe.set(code, 1, 0, 2, id);
          assert.equal(fast(e), slow(e), `${condition} on event ${code} (syscall id ${id})`);
        }
      }
    }
  });
}
