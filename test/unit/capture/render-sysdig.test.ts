// The renderer against sysdig 0.29.3 itself (Debian package `sysdig`; skipped when missing): every
// event of every capture sysdig can read is rendered both ways and compared for `evt.args` and a
// set of `evt.arg.*` / `evt.arg[N]` / `evt.rawarg.*` / `evt.info` fields.
//
// Rendering here has no state engine behind it (the context knows the capture's users and
// groups, nothing else), so where sysdig resolves an fd, a pid, a relative path or an fd list
// from its thread tables, the comparison accepts sysdig's text if everything outside those parts
// is identical and the resolved part has the right shape (`(<t>name)` for fds, ...). Those
// events are counted as "modulo state"; everything else must match exactly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  BufferFormat,
  argsCount,
  renderArgs,
  renderInfo,
  renderParam,
  renderParamByName,
  renderParamResolved,
  renderParamValue,
  renderRawParamByName,
  renderRawResult,
  renderResult,
  renderedParamInfo,
  paramIndex,
  type RenderContext,
} from "../../../src/capture/events/render.js";
import { LEGACY_EVENT_MAX } from "../../../src/capture/events/render/legacy.js";
import { ParamType } from "../../../src/capture/events/table.js";
import { readScapFile, type ScapEvent } from "../../../src/capture/scap/reader.js";
import { corpusPath } from "../../support/paths.js";

function hasSysdig(): boolean {
  try {
    execFileSync("sysdig", ["--version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** Every capture sysdig 0.29.3 reads (curl_google_comments.scap has SHB options it rejects). */
const FILES = [
  "cat_write.scap",
  "connect_localhost.scap",
  "curl_google.scap",
  "empty.scap",
  "empty_legacy.scap",
  "open-multiple-files.scap",
  "ping_sendto.scap",
  "psp_privileged.scap",
  "psp_run_as_user_0_container.scap",
  "psp_run_as_user_65534_container.scap",
  "psp_write_tmp_test.scap",
  "sample.scap",
  "single_ipv6_conn.scap",
  "syscall.scap",
  "test_ipv6_client.scap",
];

/** Fields printed after evt.num and evt.args, each compared with its renderer counterpart. */
type Field =
  | { kind: "arg"; name: string }
  | { kind: "argn"; n: number }
  | { kind: "raw"; name: string }
  | { kind: "info" }
  | { kind: "res" }
  | { kind: "rawres" };

// evt.rawarg only for names whose first table entry has a type sysdig can print raw (others make
// sysdig 0.29.3 exit with "wrong event type").
const FIELDS: Field[] = [
  { kind: "arg", name: "res" },
  { kind: "arg", name: "fd" },
  { kind: "arg", name: "flags" },
  { kind: "arg", name: "size" },
  { kind: "arg", name: "name" },
  { kind: "arg", name: "data" },
  { kind: "arg", name: "mode" },
  { kind: "arg", name: "tuple" },
  { kind: "arg", name: "addr" },
  { kind: "arg", name: "uid" },
  { kind: "arg", name: "sig" },
  { kind: "argn", n: 0 },
  { kind: "argn", n: 1 },
  { kind: "argn", n: 2 },
  { kind: "raw", name: "res" },
  { kind: "raw", name: "name" },
  { kind: "raw", name: "data" },
  { kind: "info" },
  { kind: "res" },
  { kind: "rawres" },
];

const REC = "\u0001@R@";
const SEP = "\u0001@F@";

function fieldText(f: Field): string {
  switch (f.kind) {
    case "arg":
      return `%evt.arg.${f.name}`;
    case "argn":
      return `%evt.arg[${f.n}]`;
    case "raw":
      return `%evt.rawarg.${f.name}`;
    case "info":
      return "%evt.info";
    case "res":
      return "%evt.res";
    case "rawres":
      return "%evt.rawres";
  }
}

function sysdigLines(file: string): Map<number, string[]> {
  const format = "*" + REC + "%evt.num" + SEP + "%evt.args" + FIELDS.map((f) => SEP + fieldText(f)).join("");
  const out = execFileSync("sysdig", ["-D", "-r", corpusPath("captures", file), "-p", format], {
    env: { ...process.env, TZ: "UTC" },
    stdio: ["ignore", "pipe", "ignore"],
    maxBuffer: 1 << 28,
  }).toString("utf8");
  const lines = new Map<number, string[]>();
  for (const rec of out.split(REC).slice(1)) {
    const parts = rec.replace(/\n$/, "").split(SEP);
    lines.set(Number(parts[0]), parts.slice(1));
  }
  return lines;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Types whose resolved form (or, for fd lists, the value) comes from thread state. */
function stateful(type: ParamType): boolean {
  return (
    type === ParamType.FD ||
    type === ParamType.PID ||
    type === ParamType.FSPATH ||
    type === ParamType.FSRELPATH ||
    type === ParamType.FDLIST
  );
}

/** What sysdig may print in place of a stateful part we render without state. */
function statePattern(type: ParamType): string {
  switch (type) {
    case ParamType.FD:
      return "<[a-z0-9?]{0,2}>.*?";
    case ParamType.PID:
      return "[^()]*";
    case ParamType.FDLIST:
      return "(?:-?\\d+:.[0-9a-f]+ ?)*";
    default:
      return "/.*?"; // a resolved path is absolute
  }
}

function dynType(ev: ScapEvent, i: number): ParamType {
  const info = renderedParamInfo(ev.type, i)!;
  if (info.type !== ParamType.DYN || info.dynamic === null) return info.type;
  const sel = ev.paramLength[i]! > 0 ? ev.buf[ev.paramOff[i]!]! : 255;
  return info.dynamic[sel]?.type ?? info.type;
}

/** A pattern for evt.args accepting sysdig's resolved parts where we lack state. */
function argsPattern(ev: ScapEvent, ctx: RenderContext): RegExp {
  let re = "";
  for (let i = 0; i < argsCount(ev); i++) {
    const info = renderedParamInfo(ev.type, i)!;
    const type = dynType(ev, i);
    const value = renderParamValue(ev, i, ctx);
    const resolved = renderParamResolved(ev, i, ctx);
    re += escapeRe(info.name + "=");
    if (type === ParamType.FDLIST) {
      re += statePattern(type) + " ";
    } else if (stateful(type) && resolved === "") {
      re += escapeRe(value) + `(?:\\(${statePattern(type)}\\))? `;
    } else {
      re += escapeRe(value) + (resolved === "" ? "" : escapeRe(`(${resolved})`)) + " ";
    }
  }
  return new RegExp(`^${re}$`, "s");
}

/** A pattern for one evt.arg value (resolved-or-value) accepting a state-resolved form. */
function argPattern(ev: ScapEvent, i: number, ctx: RenderContext): RegExp | null {
  const type = dynType(ev, i);
  if (!stateful(type) || renderParamResolved(ev, i, ctx) !== "") return null;
  const value = renderParamValue(ev, i, ctx);
  if (type === ParamType.FDLIST) return new RegExp(`^${statePattern(type)}$`, "s");
  return new RegExp(`^(?:${escapeRe(value)}|${statePattern(type)})$`, "s");
}

interface Score {
  lines: number;
  exact: number;
  modState: number;
  mismatches: string[];
}

function compare(
  score: Score,
  what: string,
  got: string,
  expected: string,
  pattern: () => RegExp | null,
): void {
  if (got === expected) {
    score.exact++;
    return;
  }
  const re = pattern();
  if (re !== null && re.test(expected)) {
    score.modState++;
    return;
  }
  score.mismatches.push(
    `${what}\n      sysdig: ${JSON.stringify(expected)}\n      ours:   ${JSON.stringify(got)}`,
  );
}

test("evt.args and evt.arg/rawarg/info render as sysdig 0.29.3 prints them, on every corpus capture", async (t) => {
  if (!hasSysdig()) {
    t.skip("sysdig not installed (apt-get install -y sysdig)");
    return;
  }
  const total = { args: 0, argsExact: 0, fields: 0, fieldsExact: 0 };
  const allMismatches: string[] = [];
  for (const file of FILES) {
    const expected = sysdigLines(file);
    const users = new Map<number, string>();
    const groups = new Map<number, string>();
    const ctx: RenderContext = {
      fdName: () => undefined,
      fdTypeChar: () => undefined,
      userName: (uid) => users.get(uid),
      groupName: (gid) => groups.get(gid),
    };
    const args: Score = { lines: 0, exact: 0, modState: 0, mismatches: [] };
    const fields: Score = { lines: 0, exact: 0, modState: 0, mismatches: [] };
    let num = 0;
    const res = await readScapFile(corpusPath("captures", file), {
      onRecord(r) {
        if (r.kind === "user") users.set(r.uid, r.name);
        else if (r.kind === "group") groups.set(r.gid, r.name);
      },
      onEvent(ev) {
        if (ev.type >= LEGACY_EVENT_MAX) return; // sysdig skips and does not count these
        num++;
        const line = expected.get(num);
        if (line === undefined) return; // consumed but never listed by sysdig
        args.lines++;
        compare(args, `${file} #${num} evt.args`, renderArgs(ev, ctx), line[0]!, () => argsPattern(ev, ctx));
        FIELDS.forEach((f, k) => {
          const want = line[k + 1]!;
          let got: string;
          let index = -1;
          switch (f.kind) {
            case "arg":
              index = paramIndex(ev, f.name);
              got = renderParamByName(ev, f.name, ctx) ?? "<NA>";
              break;
            case "argn":
              index = f.n < argsCount(ev) ? f.n : -1;
              got = index >= 0 ? renderParam(ev, index, ctx) : "<NA>";
              break;
            case "raw": {
              const v = renderRawParamByName(ev, f.name);
              got = v === undefined ? "<NA>" : String(v);
              break;
            }
            case "info":
              got = renderInfo(ev, ctx);
              break;
            case "res":
              index = paramIndex(ev, "res") >= 0 ? paramIndex(ev, "res") : paramIndex(ev, "fd");
              got = renderResult(ev, ctx) ?? "<NA>";
              break;
            case "rawres": {
              const v = renderRawResult(ev);
              got = v === undefined ? "<NA>" : String(v);
              break;
            }
          }
          fields.lines++;
          compare(fields, `${file} #${num} ${fieldText(f)}`, got, want, () => {
            if (f.kind === "info") return argsPattern(ev, ctx);
            return index >= 0 ? argPattern(ev, index, ctx) : null;
          });
        });
      },
    });
    assert.equal(res.error, null, file);
    assert.equal(args.lines, expected.size, `${file}: every line sysdig printed was compared`);
    t.diagnostic(
      `${file}: ${args.lines} events; evt.args exact ${args.exact}, modulo state ${args.modState}, ` +
        `mismatched ${args.mismatches.length}; fields exact ${fields.exact}, modulo state ${fields.modState}, ` +
        `mismatched ${fields.mismatches.length}`,
    );
    total.args += args.lines;
    total.argsExact += args.exact + args.modState;
    total.fields += fields.lines;
    total.fieldsExact += fields.exact + fields.modState;
    allMismatches.push(...args.mismatches, ...fields.mismatches);
  }
  t.diagnostic(
    `match score: evt.args ${total.argsExact}/${total.args}, fields ${total.fieldsExact}/${total.fields}`,
  );
  assert.deepEqual(allMismatches.slice(0, 20), [], `${allMismatches.length} mismatches`);
});

test("buffer styles match sysdig's -x, -X, -A, -b and -v output", async (t) => {
  if (!hasSysdig()) {
    t.skip("sysdig not installed (apt-get install -y sysdig)");
    return;
  }
  const styles: [string, RenderContext][] = [
    ["-x", { ...NO_STATE_CTX, bufferFormat: BufferFormat.HEX }],
    ["-X", { ...NO_STATE_CTX, bufferFormat: BufferFormat.HEXASCII }],
    ["-A", { ...NO_STATE_CTX, bufferFormat: BufferFormat.EOLS }],
    ["-b", { ...NO_STATE_CTX, bufferFormat: BufferFormat.BASE64 }],
    ["-v", { ...NO_STATE_CTX, maxBufferLength: 0 }],
  ];
  for (const file of ["curl_google.scap", "cat_write.scap", "sample.scap"]) {
    for (const [flag, ctx] of styles) {
      const format = "*" + REC + "%evt.num" + SEP + "%evt.arg.data";
      const out = execFileSync("sysdig", [flag, "-D", "-r", corpusPath("captures", file), "-p", format], {
        env: { ...process.env, TZ: "UTC" },
        stdio: ["ignore", "pipe", "ignore"],
        maxBuffer: 1 << 28,
      }).toString("latin1");
      const want = new Map<number, string>();
      for (const rec of out.split(REC).slice(1)) {
        const [num, value] = rec.replace(/\n$/, "").split(SEP);
        want.set(Number(num), value!);
      }
      let num = 0;
      let compared = 0;
      let buffers = 0;
      await readScapFile(corpusPath("captures", file), {
        onEvent(ev) {
          if (ev.type >= LEGACY_EVENT_MAX) return;
          num++;
          const expected = want.get(num);
          if (expected === undefined) return;
          const got = renderParamByName(ev, "data", ctx) ?? "<NA>";
          // sysdig writes bytes; compare as bytes (latin1 on both sides).
          assert.equal(Buffer.from(got, "utf8").toString("latin1"), expected, `${file} ${flag} #${num}`);
          compared++;
          if (got !== "<NA>" && got !== "") buffers++;
        },
      });
      assert.equal(compared, want.size);
      t.diagnostic(`${file} ${flag}: ${compared} events, ${buffers} buffers identical`);
    }
  }
});

const NO_STATE_CTX: RenderContext = { fdName: () => undefined, fdTypeChar: () => undefined };
