// Replays of corpus captures beyond the oracle: a capture sysdig 0.29.3 cannot read must give the
// same events and state as its twin, and every capture must replay without the state engine
// inventing more than a few threads or losing track of its tables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { compileOutputFormat } from "../../../src/alerts/format.js";
import { readScapFile } from "../../../src/capture/scap/reader.js";
import { syscallSchema } from "../../../src/fields/syscall/schema.js";
import { syscallSource } from "../../../src/fields/syscall/source.js";
import { EventProcessor } from "../../../src/state/processor.js";
import { corpusPath, requireCorpus } from "../../support/paths.js";

const FORMAT =
  "%evt.num %evt.type %evt.dir %proc.name %proc.pid %proc.ppid %proc.cmdline %proc.cwd %user.name " +
  "%fd.num %fd.type %fd.name %fd.l4proto %fd.sip %fd.sport %container.id %evt.res %evt.args";

async function replay(file: string): Promise<{ lines: string[]; processor: EventProcessor }> {
  const compiled = compileOutputFormat(FORMAT, syscallSchema);
  assert.ok(compiled.ok);
  const text = compiled.format.bind(syscallSource).text;
  const processor = new EventProcessor();
  const lines: string[] = [];
  const res = await readScapFile(corpusPath("captures", file), {
    onRecord: (r) => processor.onRecord(r),
    onEvent: (ev) => {
      lines.push(text(processor.process(ev)));
    },
  });
  assert.equal(res.error, null, file);
  return { lines, processor };
}

test("curl_google_comments.scap (section header options) replays exactly like curl_google.scap", async () => {
  requireCorpus();
  const a = await replay("curl_google.scap");
  const b = await replay("curl_google_comments.scap");
  assert.equal(b.lines.length, a.lines.length);
  assert.deepEqual(b.lines, a.lines);
});

test("every corpus capture replays with its tables in bounds and nothing malformed", async () => {
  requireCorpus();
  for (const file of readdirSync(corpusPath("captures")).filter((f) => f.endsWith(".scap"))) {
    const { lines, processor } = await replay(file);
    const c = processor.state.counters;
    assert.ok(lines.length > 0, file);
    assert.equal(c.threadTableFull, 0, file);
    assert.equal(c.fdTableFull, 0, file);
    assert.equal(c.malformedEvents, 0, file);
    assert.equal(c.badContainerEvents, 0, file);
    // Threads missing from the initial process list are made up as placeholders; a capture
    // written with its process list has few of them.
    assert.ok(c.threadsInvented <= 8, `${file}: ${c.threadsInvented} threads invented`);
  }
});
