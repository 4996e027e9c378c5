#!/usr/bin/env node
// Generates src/capture/events/generated.ts: the facts of the scap event table (codes, names,
// categories, flags, parameter names/types/formats), the flag/enum value tables used to render
// parameters, the dynamic parameter tables, the ppm_sc (syscall id) names and the syscall ->
// event pair map.
//
// The facts are read from a falcosecurity/libs git mirror at generation time only; nothing in
// this repository depends on the mirror at build or run time.
//
//   node scripts/gen-event-table.mjs [--mirror=GIT_DIR] [--rev=REV] [--out=FILE]
//
// Defaults: --mirror=/work/.mirror/falcosecurity+libs/repo --rev=HEAD
//           --out=src/capture/events/generated.ts

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = /^--(\w+)=(.*)$/.exec(a);
    if (!m) throw new Error(`unexpected argument ${a}`);
    return [m[1], m[2]];
  }),
);
const MIRROR = args.mirror ?? "/work/.mirror/falcosecurity+libs/repo";
const REV = args.rev ?? "HEAD";
const OUT =
  args.out ?? join(dirname(fileURLToPath(import.meta.url)), "..", "src", "capture", "events", "generated.ts");

function show(path) {
  return execFileSync("git", ["-C", MIRROR, "show", `${REV}:${path}`], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
}

const commit = execFileSync("git", ["-C", MIRROR, "rev-parse", REV], { encoding: "utf8" }).trim();

// ---------------------------------------------------------------------------------------------
// Source cleanup: drop comments, join continuation lines, and drop `#ifndef CONFIG_64BIT` blocks
// (we describe 64-bit captures).

function stripComments(src) {
  let out = "";
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
      out += " ";
    } else if (c === "/" && src[i + 1] === "/") {
      const end = src.indexOf("\n", i);
      i = end < 0 ? src.length : end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function preprocess(src) {
  const lines = stripComments(src).replace(/\\\n/g, " ").split("\n");
  const out = [];
  let skipDepth = 0;
  let depth = 0;
  for (const line of lines) {
    const t = line.trim();
    if (/^#\s*if/.test(t)) {
      depth++;
      if (skipDepth === 0 && /^#\s*ifndef\s+CONFIG_64BIT\b/.test(t)) skipDepth = depth;
      continue;
    }
    if (/^#\s*endif/.test(t)) {
      if (skipDepth === depth) skipDepth = 0;
      depth--;
      continue;
    }
    if (skipDepth !== 0) continue;
    out.push(line);
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Constant expressions: #defines and enum members, evaluated on demand.

const defines = new Map(); // name -> expression text
const values = new Map(); // name -> number (evaluated)

function collectDefines(src) {
  for (const line of src.split("\n")) {
    const m = /^\s*#\s*define\s+([A-Za-z_]\w*)(?!\()\s+(.+?)\s*$/.exec(line);
    if (m && !defines.has(m[1])) defines.set(m[1], m[2]);
  }
}

function collectEnum(src, enumName) {
  const m =
    new RegExp(`enum\\s+${enumName}\\s*\\{([^}]*)\\}`).exec(src) ??
    new RegExp(`typedef\\s+enum\\s*\\{([^}]*)\\}\\s*${enumName}\\s*;`).exec(src);
  if (!m) throw new Error(`enum ${enumName} not found`);
  const members = [];
  let next = 0;
  for (const raw of m[1].split(",")) {
    const item = raw.trim();
    if (!item) continue;
    const mm = /^([A-Za-z_]\w*)\s*(?:=\s*([\s\S]+))?$/.exec(item);
    if (!mm) throw new Error(`bad enum member in ${enumName}: ${item}`);
    const v = mm[2] === undefined ? next : evaluate(mm[2]);
    values.set(mm[1], v);
    members.push([mm[1], v]);
    next = v + 1;
  }
  return members;
}

function evaluate(expr) {
  const toks = expr.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|<<|>>|[()|&~+\-*']/g) ?? [];
  let p = 0;
  const peek = () => toks[p];
  const take = () => toks[p++];
  function primary() {
    const t = take();
    if (t === undefined) throw new Error(`unexpected end in '${expr}'`);
    if (t === "(") {
      const v = or();
      if (take() !== ")") throw new Error(`missing ) in '${expr}'`);
      return v;
    }
    if (t === "-") return -primary();
    if (t === "~") return ~primary();
    if (/^\d|^0x/i.test(t)) {
      const s = t.replace(/[uUlL]+$/, "");
      if (/^0x/i.test(s)) return parseInt(s.slice(2), 16);
      if (s.length > 1 && s[0] === "0") return parseInt(s, 8);
      return parseInt(s, 10);
    }
    return lookup(t);
  }
  function mul() {
    let v = primary();
    while (peek() === "*") {
      take();
      v = v * primary();
    }
    return v;
  }
  function add() {
    let v = mul();
    while (peek() === "+" || peek() === "-") v = take() === "+" ? v + mul() : v - mul();
    return v;
  }
  function shift() {
    let v = add();
    while (peek() === "<<" || peek() === ">>") {
      const op = take();
      const r = add();
      v = op === "<<" ? v * 2 ** r : Math.floor(v / 2 ** r);
    }
    return v;
  }
  function and() {
    let v = shift();
    while (peek() === "&") {
      take();
      v = Number(BigInt(v) & BigInt(shift()));
    }
    return v;
  }
  function or() {
    let v = and();
    while (peek() === "|") {
      take();
      v = Number(BigInt(v) | BigInt(and()));
    }
    return v;
  }
  const v = or();
  if (p !== toks.length) throw new Error(`trailing tokens in '${expr}'`);
  return v;
}

function lookup(name) {
  if (values.has(name)) return values.get(name);
  const def = defines.get(name);
  if (def === undefined) throw new Error(`unknown constant ${name}`);
  const v = evaluate(def);
  values.set(name, v);
  return v;
}

// ---------------------------------------------------------------------------------------------
// A tiny reader for C initializer lists: strings, nested braces, designators and expressions.

function tokenize(src) {
  const re = /\s+|"((?:[^"\\]|\\.)*)"|([{}[\],=])|([^\s{}[\],="]+)/gy;
  const toks = [];
  let m;
  while ((m = re.exec(src)) !== null) {
    if (m[1] !== undefined) toks.push({ s: m[1] });
    else if (m[2] !== undefined) toks.push(m[2]);
    else if (m[3] !== undefined) toks.push(m[3]);
    if (re.lastIndex === src.length) break;
  }
  return toks;
}

// Parses `{ ... }` into { items: [ { key?: string, value } ] } where value is a string literal
// ({s}), a nested list, or an expression string.
function parseInit(toks, start) {
  let p = start;
  if (toks[p] !== "{") throw new Error(`expected { at token ${p}`);
  p++;
  const items = [];
  while (toks[p] !== "}") {
    let key = null;
    if (toks[p] === "[") {
      const end = toks.indexOf("]", p);
      key = toks.slice(p + 1, end).join(" ");
      p = end + 1;
      if (toks[p] !== "=") throw new Error(`expected = after designator ${key}`);
      p++;
    }
    let value;
    if (toks[p] === "{") {
      const r = parseInit(toks, p);
      value = r.list;
      p = r.next;
    } else if (typeof toks[p] === "object") {
      value = toks[p++];
    } else {
      const parts = [];
      while (toks[p] !== "," && toks[p] !== "}") parts.push(toks[p++]);
      value = parts.join(" ");
    }
    items.push({ key, value });
    if (toks[p] === ",") p++;
  }
  return { list: items, next: p + 1 };
}

function arrayInitializer(src, varName) {
  const m = new RegExp(`(?<![\\w])${varName}\\s*\\[[^\\]]*\\]\\s*=\\s*`).exec(src);
  if (!m) throw new Error(`array ${varName} not found`);
  const toks = tokenize(src.slice(m.index + m[0].length));
  return parseInit(toks, 0).list;
}

// ---------------------------------------------------------------------------------------------
// Read the facts.

const header = preprocess(show("driver/ppm_events_public.h"));
collectDefines(header);
const eventCodes = collectEnum(header, "ppm_event_code");
const categories = collectEnum(header, "ppm_event_category");
const eventFlags = collectEnum(header, "ppm_event_flags");
const paramTypes = collectEnum(header, "ppm_param_type");
const printFormats = collectEnum(header, "ppm_print_format");
collectEnum(header, "anon_inode_fd_type");

const scFieldsMatch = /#define\s+PPM_SC_FIELDS([\s\S]*?)\n\s*\n/.exec(header);
const scNames = [];
for (const m of scFieldsMatch[1].matchAll(/PPM_SC_X\(\s*(\w+)\s*,\s*(\d+)\s*\)/g)) {
  scNames[Number(m[2])] = m[1].toLowerCase();
  values.set(`PPM_SC_${m[1]}`, Number(m[2]));
}
const PPM_SC_MAX = scNames.length;

const flagsSrc = preprocess(show("driver/flags_table.c"));
const flagTables = new Map();
for (const m of flagsSrc.matchAll(/const\s+struct\s+ppm_name_value\s+(\w+)\s*\[\s*\]\s*=/g)) {
  const rows = [];
  for (const { value } of arrayInitializer(flagsSrc, m[1])) {
    if (!Array.isArray(value) || typeof value[0].value !== "object") continue; // {0, 0} terminator
    rows.push([value[0].value.s, evaluate(value[1].value) >>> 0]);
  }
  flagTables.set(m[1], rows);
}

const dynSrc = preprocess(show("driver/dynamic_params_table.c"));
const dynTables = new Map();
for (const m of dynSrc.matchAll(/const\s+struct\s+ppm_param_info\s+(\w+)\s*\[/g)) {
  const rows = [];
  for (const { key, value } of arrayInitializer(dynSrc, m[1])) {
    rows[evaluate(key)] = [evaluate(value[1].value), evaluate(value[2].value)];
  }
  dynTables.set(m[1], rows);
}

const tableSrc = preprocess(show("driver/event_table.c"));
const PPM_EVENT_MAX = lookup("PPM_EVENT_MAX");
const events = new Array(PPM_EVENT_MAX).fill(null);
for (const { key, value } of arrayInitializer(tableSrc, "g_event_info")) {
  const code = evaluate(key);
  const [nameV, catV, flagsV, nparamsV, paramsV] = value.map((x) => x.value);
  const params = [];
  for (const { value: pv } of paramsV ?? []) {
    const [pn, pt, pf, info, ninfo] = pv.map((x) => x.value);
    let infoRef = null;
    if (typeof info === "string") {
      const dirfd = /^DIRFD_PARAM\s*\(\s*(\d+)\s*\)$/.exec(info);
      if (dirfd) infoRef = Number(dirfd[1]);
      else if (flagTables.has(info)) infoRef = info;
      else if (dynTables.has(info)) {
        infoRef = info;
        if (ninfo !== undefined && evaluate(ninfo) !== dynTables.get(info).length)
          throw new Error(`dyn table ${info} size mismatch`);
      } else if (info !== "0") throw new Error(`unknown param info ${info} in event ${code}`);
    }
    params.push([pn.s, evaluate(pt), evaluate(pf), infoRef]);
  }
  const nparams = evaluate(nparamsV);
  if (nparams !== params.length) throw new Error(`event ${code}: nparams ${nparams} != ${params.length}`);
  events[code] = [nameV.s, evaluate(catV), evaluate(flagsV), params];
}
for (let i = 0; i < PPM_EVENT_MAX; i++) if (events[i] === null) throw new Error(`event ${i} missing`);

const sysSrc = show("driver/syscall_table.c");
const scPairs = [];
for (const m of sysSrc.matchAll(/\{\s*[^{}]*?,\s*(PPME_\w+)\s*,\s*(PPME_\w+)\s*,\s*(PPM_SC_\w+)\s*\}/g)) {
  const sc = lookup(m[3]);
  if (scPairs.some((r) => r[0] === sc)) continue;
  scPairs.push([sc, lookup(m[1]), lookup(m[2])]);
}
scPairs.sort((a, b) => a[0] - b[0]);

// ---------------------------------------------------------------------------------------------
// Emit.

const q = (s) => JSON.stringify(s);
const out = [];
out.push(`// GENERATED by scripts/gen-event-table.mjs from falcosecurity/libs@${commit}`);
out.push("// (driver/ppm_events_public.h, event_table.c, flags_table.c, dynamic_params_table.c,");
out.push("// syscall_table.c). Do not edit by hand: change the generator and re-run it.");
out.push("");
function emitEnum(tsName, members, prefix, doc) {
  out.push(`/** ${doc} */`);
  out.push(`export enum ${tsName} {`);
  for (const [n, v] of members) {
    let short = n.startsWith(prefix) ? n.slice(prefix.length) : n;
    if (/^\d/.test(short)) short = `_${short}`;
    out.push(`  ${short} = ${v},`);
  }
  out.push("}");
  out.push("");
}
emitEnum(
  "EventType",
  eventCodes.filter(([n]) => n !== "PPM_EVENT_MAX"),
  "PPME_",
  "Event codes (ppm_event_code). Even codes are enter events, odd codes exit events.",
);
out.push(`export const EVENT_TYPE_MAX = ${PPM_EVENT_MAX};`);
out.push("");
emitEnum(
  "EventCategory",
  categories.filter(([n]) => n !== "EC_IO_BASE"),
  "EC_",
  "Event categories (ppm_event_category): a syscall category in the low bits, a source bit above.",
);
emitEnum("EventFlag", eventFlags, "EF_", "Event flags (ppm_event_flags).");
emitEnum(
  "ParamType",
  paramTypes.filter(([n]) => n !== "PT_MAX"),
  "PT_",
  "Parameter types (ppm_param_type).",
);
emitEnum("PrintFormat", printFormats, "PF_", "Parameter print formats (ppm_print_format).");

out.push("/** Value tables for flag and enum parameters: [name, value], in the upstream order. */");
out.push(
  "export const FLAG_TABLE_DATA: Readonly<Record<string, readonly (readonly [string, number])[]>> = {",
);
for (const [name, rows] of flagTables) {
  out.push(`  ${name}: [${rows.map(([n, v]) => `[${q(n)}, ${v}]`).join(", ")}],`);
}
out.push("};");
out.push("");
out.push("/** Dynamic parameter tables (PT_DYN): index -> [type, format]. */");
out.push("export const DYN_TABLE_DATA: Readonly<Record<string, readonly (readonly [number, number])[]>> = {");
for (const [name, rows] of dynTables) {
  out.push(`  ${name}: [${rows.map(([t, f]) => `[${t}, ${f}]`).join(", ")}],`);
}
out.push("};");
out.push("");
out.push("/**");
out.push(" * Parameter row: [name, type, format, info]; info is a FLAG_TABLE_DATA or DYN_TABLE_DATA key,");
out.push(" * the index of the dirfd parameter (PT_FSRELPATH), or null.");
out.push(" */");
out.push("export type ParamRow = readonly [string, number, number, string | number | null];");
out.push("/** Event row, indexed by event code: [name, category, flags, params]. */");
out.push("export type EventRow = readonly [string, number, number, readonly ParamRow[]];");
out.push("");
out.push("export const EVENT_ROWS: readonly EventRow[] = [");
events.forEach(([name, cat, flags, params], code) => {
  const ps = params.map(
    ([pn, pt, pf, info]) => `[${q(pn)}, ${pt}, ${pf}, ${info === null ? "null" : q(info)}]`,
  );
  out.push(`  /* ${code} ${eventCodes[code][0]} */ [${q(name)}, ${cat}, ${flags}, [${ps.join(", ")}]],`);
});
out.push("];");
out.push("");
out.push("/** ppm_sc names (lower case), indexed by syscall id (PT_SYSCALLID); empty where unassigned. */");
out.push(`export const PPM_SC_NAMES: readonly string[] = [`);
for (let i = 0; i < PPM_SC_MAX; i++) out.push(`  ${q(scNames[i] ?? "")},`);
out.push("];");
out.push("");
out.push("/** Syscalls with a dedicated event pair: [ppm_sc, enter code, exit code]. */");
out.push("export const SC_EVENT_PAIRS: readonly (readonly [number, number, number])[] = [");
for (const [sc, e, x] of scPairs) out.push(`  [${sc}, ${e}, ${x}],`);
out.push("];");
out.push("");

// Format with the repository's prettier settings so `prettier --check` stays clean.
const prettier = await import("prettier");
const options =
  (await prettier.resolveConfig(join(dirname(fileURLToPath(import.meta.url)), "..", "x.ts"))) ?? {};
writeFileSync(OUT, await prettier.format(out.join("\n"), { ...options, filepath: OUT }));
console.log(`wrote ${OUT}: ${PPM_EVENT_MAX} events, ${flagTables.size} flag tables, ${PPM_SC_MAX} syscalls`);
