// `saker fields`, run as users run it: the built CLI in a child process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { FieldListEntry } from "../../../src/fields/listing.js";
import { repoRoot } from "../../support/paths.js";

const MAIN = join(repoRoot, "dist/src/cli/main.js");

function saker(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function byName(entries: FieldListEntry[]): Map<string, FieldListEntry> {
  return new Map(entries.filter((e) => e.source === "syscall").map((e) => [e.name, e]));
}

test("fields --json prints every syscall field with its argument form", () => {
  const r = saker("fields", "--json");
  assert.equal(r.status, 0, r.stderr);
  const entries = JSON.parse(r.stdout) as FieldListEntry[];
  assert.ok(Array.isArray(entries));
  const fields = byName(entries);
  const table: [string, Partial<FieldListEntry>][] = [
    ["proc.aname", { class: "process", type: "CHARBUF", arg: "index", argRequired: false, isList: false }],
    ["evt.arg", { class: "evt", arg: "index_or_key", argRequired: true }],
    ["proc.env", { arg: "index_or_key", argRequired: false }],
    ["fd.types", { class: "fd", isList: true, arg: "index" }],
    ["fd.sport", { type: "PORT", arg: "none" }],
    ["container.mount.dest", { class: "container", arg: "index_or_key", argRequired: true }],
    ["k8s.ns.name", { class: "k8s", type: "CHARBUF" }],
  ];
  for (const [name, want] of table) {
    const got = fields.get(name);
    assert.ok(got, `${name} listed`);
    for (const [k, v] of Object.entries(want))
      assert.equal(got[k as keyof FieldListEntry], v, `${name}.${k}`);
    assert.ok(got.description.length > 10, `${name} has a description`);
  }
  // Hidden and deprecated fields only with --all.
  assert.ok(!fields.has("util.cnt") && !fields.has("evt.dir") && !fields.has("evt.latency"));
});

test("fields --all --source syscall --json adds hidden and deprecated fields", () => {
  const r = saker("fields", "--all", "--source", "syscall", "--json");
  assert.equal(r.status, 0, r.stderr);
  const fields = byName(JSON.parse(r.stdout) as FieldListEntry[]);
  assert.equal(fields.get("util.cnt")?.hidden, true);
  assert.equal(fields.get("evt.dir")?.deprecated, true);
  assert.ok(fields.has("k8s.rc.name"));
});

test("fields prints classes as falco --list does", () => {
  const r = saker("fields", "--source", "syscall");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Field Class: {18}evt \(All event types\)$/m);
  assert.match(r.stdout, /^Field Class: {18}process$/m);
  assert.match(r.stdout, /^Event Sources: {16}syscall$/m);
  assert.match(r.stdout, /^proc\.aname {20}\(Type: CHARBUF\) \(ARG_ALLOWED,ARG_INDEX\) /m);
  for (const line of r.stdout.split("\n")) assert.ok(line.length <= 120, `line too long: ${line}`);
});

test("fields lists the k8s_audit source too, sharing the generic evt class", () => {
  const r = saker("fields", "--source", "k8s_audit", "--json");
  assert.equal(r.status, 0, r.stderr);
  const entries = JSON.parse(r.stdout) as FieldListEntry[];
  assert.ok(entries.every((e) => e.source === "k8s_audit"));
  const names = new Set(entries.map((e) => e.name));
  assert.ok(names.has("ka.verb") && names.has("evt.num"));
  assert.ok(!names.has("proc.name"));
  const text = saker("fields");
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^Event Sources: +k8s_audit syscall$/m);
});

test("fields --source with an unknown source fails", () => {
  const r = saker("fields", "--source", "nosuchsource");
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /nosuchsource/);
  assert.equal(r.stdout, "");
});
