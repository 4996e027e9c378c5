// Hostile event shapes: every member of the fixture events, one at a time, replaced by values of every
// JSON type; every field's extractor (planned once, as the engine does) runs on each variant. Nothing
// may throw, and each value must be of the shape its declaration promises.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseAuditPayload, type AuditEvent } from "../../../src/k8saudit/event.js";
import { k8sAuditSource } from "../../../src/k8saudit/source.js";
import type { FieldInfo } from "../../../src/fields/types.js";
import { bindingEvent, podEvent, roleEvent } from "./fixture.js";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const REPLACEMENTS: Json[] = [null, 0, -1.5, true, "", "x\u0000y", [], [[]], [null, 1, "s"], {}, { name: 1 }];

/** Every path to a member or element of `v`. */
function paths(
  v: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (Array.isArray(v)) v.forEach((el, i) => (out.push([...prefix, i]), paths(el, [...prefix, i], out)));
  else if (v !== null && typeof v === "object") {
    for (const k of Object.keys(v)) {
      if (prefix.length === 0 && (k === "stageTimestamp" || k === "kind")) continue; // keeps it an event
      out.push([...prefix, k]);
      paths(v[k], [...prefix, k], out);
    }
  }
  return out;
}

function replaced(base: Json, path: (string | number)[], value: Json): Json {
  const copy = JSON.parse(JSON.stringify(base)) as Json;
  let cur = copy as { [k: string | number]: Json };
  for (const p of path.slice(0, -1)) cur = cur[p] as { [k: string | number]: Json };
  cur[path[path.length - 1]] = value;
  return copy;
}

/** Representative arguments for the fields that take one. */
function argsFor(info: FieldInfo): (string | undefined)[] {
  if (info.argKind === "index") return [undefined, "0", "1", "7"];
  if (info.argKind === "key") {
    return info.name.endsWith(".value")
      ? ["/requestObject/spec/containers/0", "/a~1b", "/"]
      : ["x", "/etc*", "*"];
  }
  return [undefined];
}

test("no field throws or returns a value of the wrong shape, whatever the event holds", () => {
  const planned: { ref: string; info: FieldInfo; run: (e: AuditEvent) => unknown }[] = [];
  for (const cls of k8sAuditSource.catalogue.classes) {
    for (const info of cls.fields) {
      for (const arg of argsFor(info)) {
        const r = k8sAuditSource.catalogue.resolve(info.name, arg);
        assert.ok(r.ok, `${info.name}[${arg}]`);
        planned.push({ ref: `${info.name}[${arg ?? ""}]`, info, run: k8sAuditSource.extractor(r.field) });
      }
    }
  }
  let variants = 0;
  let extractions = 0;
  for (const base of [podEvent(), bindingEvent(), roleEvent()]) {
    for (const path of paths(base)) {
      for (const value of REPLACEMENTS) {
        const res = parseAuditPayload(JSON.stringify(replaced(base, path, value)));
        assert.ok(res.ok && res.events.length === 1, path.join("/"));
        const ev = res.events[0];
        variants++;
        for (const { ref, info, run } of planned) {
          let v: unknown;
          assert.doesNotThrow(() => (v = run(ev)), `${ref} at ${path.join("/")} = ${JSON.stringify(value)}`);
          extractions++;
          if (v === undefined || info.type !== "CHARBUF") continue;
          if (info.isList) {
            assert.ok(
              Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string" && !s.includes("\0")),
              ref,
            );
          } else {
            assert.ok(typeof v === "string" && !v.includes("\0"), ref);
          }
          assert.doesNotThrow(() => k8sAuditSource.render({ info, arg: undefined }, v as string));
        }
      }
    }
  }
  console.log(`# ${variants} event variants, ${extractions} extractions`);
});
