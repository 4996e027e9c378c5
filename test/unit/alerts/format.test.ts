import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import {
  compileOutputFormat,
  DEFAULT_CONTAINER_INFO,
  falcoOutputOptions,
  fitWidth,
  type FormatErrorCode,
  type FormatToken,
  type OutputFormat,
  type OutputFormatOptions,
} from "../../../src/alerts/format.js";
import { syscallSchema } from "../../../src/fields/syscall/schema.js";
import { corpusPath } from "../../support/paths.js";
import { testSchema, testSource, type TestEvent } from "./fixture.js";

// Tokens in one line: literals JSON-quoted, fields and transformers as %key (with their width), the
// fields a transformer reads in braces.
function tokenShape(t: FormatToken): string {
  if (t.kind === "literal") return JSON.stringify(t.text);
  const head = `%${t.width === 0 ? "" : t.width}${t.key}`;
  return t.kind === "field" ? head : `${head}{${t.fields.map((f) => f.key).join(",")}}`;
}

function compile(format: string, options?: OutputFormatOptions): OutputFormat {
  const result = compileOutputFormat(format, testSchema, options);
  if (!result.ok) assert.fail(`${JSON.stringify(format)}: ${result.error.message}`);
  return result.format;
}

test("valid formats split into literals and fields", () => {
  const table: [string, string][] = [
    ["An open was seen (command=%proc.cmdline)", '"An open was seen (command=" %proc.cmdline ")"'],
    ["%proc.name", "%proc.name"],
    ["no fields at all", '"no fields at all"'],
    // Falco's leading '*' (print <NA> rather than skip) is not text.
    ["*%proc.name", "%proc.name"],
    ["*", ""],
    // A field ends where the field grammar ends: ':' ')' ',' '=' and blanks are text.
    ["%evt.time.iso8601: x", '%evt.time.iso8601 ": x"'],
    ["%proc.name,%proc.pid=%fd.name", '%proc.name "," %proc.pid "=" %fd.name'],
    // Arguments, bracketed and dotted; the key is the field as written.
    ["%proc.aname[2]", "%proc.aname[2]"],
    ["%evt.arg.flags %evt.arg[0]", '%evt.arg.flags " " %evt.arg[0]'],
    // Width: digits between '%' and the field.
    ["%10proc.name|", '%10proc.name "|"'],
    ["%0proc.name", "%proc.name"],
    // Longest prefix that is a field; the rest of the word is text (libsinsp's prefix lookup).
    ["%proc.namex", '%proc.name "x"'],
    ["%proc.name.x", '%proc.name ".x"'],
    ["%evt.arg.namex", '%evt.arg.name "x"'],
    // Two fields back to back.
    ["%proc.name%proc.pid", "%proc.name %proc.pid"],
    // Transformers: the token ends at the closing parenthesis (and bracket); blanks inside are fine.
    ["%toupper(proc.name) end", '%toupper(proc.name){proc.name} " end"'],
    ["x%toupper( tolower( proc.name ) )y", '"x" %toupper(tolower(proc.name)){proc.name} "y"'],
    ["%10toupper(proc.aname[2])|", '%10toupper(proc.aname[2]){proc.aname[2]} "|"'],
    ["%basename(fd.name).%b64(evt.buffer)", '%basename(fd.name){fd.name} "." %b64(evt.buffer){evt.buffer}'],
    ["%len(ka.user.groups)", "%len(ka.user.groups){ka.user.groups}"],
    [
      '%join("->", (proc.name, fd.name, proc.name))',
      '%join("->",(proc.name,fd.name,proc.name)){proc.name,fd.name,proc.name}',
    ],
    [
      '%concat(proc.name, "@", container.id):',
      '%concat(proc.name,"@",container.id){proc.name,container.id} ":"',
    ],
    ['%getopt(ka.user.groups, "nt:")[t]x', '%getopt(ka.user.groups,"nt:")[t]{ka.user.groups} "x"'],
    ['%toupper(concat(proc.name, "x"))', '%toupper(concat(proc.name,"x")){proc.name}'],
  ];
  for (const [format, expected] of table) {
    assert.equal(compile(format).tokens.map(tokenShape).join(" "), expected, format);
    // Accepted formats stay accepted with other text around them.
    assert.ok(compileOutputFormat(`  ${format}  x`.replace(/^ {2}\*/, "  "), testSchema).ok, format);
  }
});

test("invalid formats fail with Falco's message and the token's position", () => {
  const table: [string, FormatErrorCode, string, number, number][] = [
    ["", "FMT_EMPTY", "empty formatting token", 0, 0],
    ["abc %", "FMT_TRAILING_PERCENT", "invalid formatting syntax: formatting cannot end with a %", 4, 5],
    ["abc %12", "FMT_TRAILING_WIDTH", "invalid formatting syntax: formatting cannot end with a number", 4, 7],
    // cases.json: invalid_rule_output.
    [
      "An open was seen %not_a_real_field",
      "FMT_UNKNOWN_FIELD",
      "invalid formatting token not_a_real_field",
      17,
      34,
    ],
    // libsinsp quotes the whole rest of the format.
    ["x %no.such.field (y)", "FMT_UNKNOWN_FIELD", "invalid formatting token no.such.field (y)", 2, 16],
    // No escape for '%'.
    ["100% sure", "FMT_UNKNOWN_FIELD", "invalid formatting token  sure", 3, 5],
    ["%%", "FMT_UNKNOWN_FIELD", "invalid formatting token %", 0, 2],
    ["%(proc.name)", "FMT_UNKNOWN_FIELD", "invalid formatting token (proc.name)", 0, 2],
    ["%10 x", "FMT_UNKNOWN_FIELD", "invalid formatting token  x", 0, 4],
    ["ip=%fd.ip", "FMT_FILTER_ONLY", "fd.ip is filter only and cannot be used as a display field", 3, 9],
    ["%evt.arg", "FMT_BAD_ARGUMENT", "field 'evt.arg' requires an argument: evt.arg.<name> or [N]", 0, 8],
    ["%evt.arg.nosuch", "FMT_BAD_ARGUMENT", "unknown event argument 'nosuch' (field 'evt.arg')", 0, 15],
    ["%proc.aname[x] y", "FMT_UNKNOWN_FIELD", "invalid formatting token proc.aname[x] y", 0, 14],
    ["%container.info", "FMT_UNKNOWN_FIELD", "invalid formatting token container.info", 0, 15],
    // Transformers: the condition compiler's message, at the part it is about (not at the '%').
    [
      "x %toupper(proc.pid) y",
      "FMT_TRANSFORMER",
      "can't add field transformer: type 'INT64' is not supported by 'toupper' transformer applied on field 'proc.pid'",
      3,
      20,
    ],
    [
      "x %toupper(proc.nobody) y",
      "FMT_UNKNOWN_FIELD",
      "filter_check called with nonexistent field proc.nobody",
      11,
      22,
    ],
    [
      "%tolower(evt.arg)",
      "FMT_BAD_ARGUMENT",
      "field 'evt.arg' requires an argument: evt.arg.<name> or [N]",
      9,
      16,
    ],
    [
      '%join(",", (fd.ip))',
      "FMT_FILTER_ONLY",
      "fd.ip is filter only and cannot be used as a display field",
      12,
      17,
    ],
    ['x %join(",", proc.name)', "FMT_TRANSFORMER", "join() second argument must be a list", 3, 23],
    ["%concat(proc.name)", "FMT_TRANSFORMER", "unknown field transfomer 'concat'", 1, 18],
    [
      '%getopt(ka.user.groups, "n")[nt]',
      "FMT_TRANSFORMER",
      "getopt() field argument must be a single option character",
      1,
      32,
    ],
    ["%toupper(proc.name", "FMT_TRANSFORMER", "expected a ')' token closing the transformer", 18, 18],
    [
      "%toupper(tolower) x",
      "FMT_TRANSFORMER",
      "expected field transformer argument: field, transformer, quoted string, number, or transformer list",
      9,
      16,
    ],
    // Not transformers: a blank before '(' (as in libsinsp), or a name that is none.
    ["%toupper (proc.name)", "FMT_UNKNOWN_FIELD", "invalid formatting token toupper (proc.name)", 0, 8],
    ["%val(proc.name)", "FMT_UNKNOWN_FIELD", "invalid formatting token val(proc.name)", 0, 4],
  ];
  for (const [format, code, message, start, end] of table) {
    const result = compileOutputFormat(format, testSchema);
    assert.ok(!result.ok, `${JSON.stringify(format)} should not compile`);
    assert.deepEqual(
      {
        code: result.error.code,
        message: result.error.message,
        start: result.error.start,
        end: result.error.end,
      },
      { code, message, start, end },
      format,
    );
  }
});

test("the corpus's invalid_rule_output rule fails against the real syscall fields", () => {
  const rules = parseYaml(readFileSync(corpusPath("rules/falco-tests/invalid_rule_output.yaml"), "utf8")) as {
    output: string;
  }[];
  const result = compileOutputFormat(rules[0].output, syscallSchema);
  assert.ok(!result.ok);
  assert.equal(result.error.code, "FMT_UNKNOWN_FIELD");
  assert.equal(result.error.message, "invalid formatting token not_a_real_field");
  // And single_rule.yaml's output is fine there.
  assert.ok(compileOutputFormat("An open was seen (command=%proc.cmdline)", syscallSchema).ok);
});

const event: TestEvent = {
  ts: 1470327477881781397n,
  values: {
    "proc.name": "cat",
    "proc.cmdline": "cat /dev/null",
    "proc.pid": 4242,
    "proc.aname[2]": "bash",
    "evt.arg[flags]": "O_RDONLY",
    "evt.arg[0]": "3",
    "fd.name": "/dev/null",
    "evt.flags": 524288,
    "thread.cpu": 0.1,
    "proc.is_exe_writable": 0,
    "ka.user.groups": ["system:masters", "system:authenticated"],
    "evt.buffer": new Uint8Array([104, 105]),
    "container.name": "host",
    "container.id": "host",
  },
};

test("text rendering: values, <NA>, widths, repeated fields", () => {
  const source = testSource();
  const table: [string, string][] = [
    ["An open was seen (command=%proc.cmdline)", "An open was seen (command=cat /dev/null)"],
    ["(cport=%fd.cport command=%proc.cmdline)", "(cport=<NA> command=cat /dev/null)"],
    ["%proc.name %proc.name", "cat cat"],
    ["[%6proc.name]", "[cat   ]"],
    ["[%2proc.name]", "[ca]"],
    ["[%6fd.cport]", "[<NA>  ]"],
    ["%proc.aname[2]/%proc.aname[3]", "bash/<NA>"],
    ["%evt.arg.flags %evt.arg[0]", "O_RDONLY 3"],
    ["%evt.flags", "O_RDONLY|O_CLOEXEC"],
    ["%ka.user.groups", "(system:masters,system:authenticated)"],
    ["%evt.time.iso8601", "2016-08-04T16:17:57.881781397+0000"],
    ["*%proc.namex", "catx"],
    ["no fields", "no fields"],
  ];
  for (const [format, expected] of table) {
    assert.equal(compile(format).bind(source).text(event), expected, format);
  }
});

const mixedCase: TestEvent = {
  ts: event.ts,
  values: {
    ...event.values,
    "proc.name": "Cat",
    "proc.aname[2]": "BaSh",
    "fd.name": "/dev/Null",
    "evt.buffer": new TextEncoder().encode("aGk="),
    "ka.user.groups": ["-n", "-t", "v", "file"],
  },
};

test("text rendering of transformers: the transformed value as libsinsp prints it", () => {
  const syscall = testSource();
  // The same fields as a plugin source's (every source but syscall): print format PF_DEC.
  const plugin = { ...testSource(), name: "k8s_audit" };
  const table: [string, string, string?][] = [
    ["%toupper(proc.name) end", "CAT end"],
    ["%proc.name/%toupper(proc.name)/%tolower(proc.name)", "Cat/CAT/cat"],
    ["%tolower(toupper(proc.aname[2]))", "bash"],
    ["[%6toupper(proc.name)]", "[CAT   ]"],
    ["[%2toupper(proc.name)]", "[CA]"],
    ["%basename(fd.name)", "Null"],
    // b64 of a byte buffer is a byte buffer, printed as the field prints one.
    ["%b64(evt.buffer)", "hi"],
    ["%toupper(ka.user.groups)", "(-N,-T,V,FILE)"],
    // <NA> stays <NA>, padded like any value.
    ["%toupper(container.image)", "<NA>"],
    ["[%6toupper(container.image)]", "[<NA>  ]"],
    ["%concat(proc.name, container.image)", "<NA>"],
    ['%join(",", (proc.name, container.image))', "<NA>"],
    ['%join("->", (proc.name, fd.name))', "Cat->/dev/Null"],
    ['%join(":", ka.user.groups)', "-n:-t:v:file"],
    ['%concat(proc.name, "@", container.name)', "Cat@host"],
    ['%toupper(concat(proc.name, "@", container.name))', "CAT@HOST"],
    ['%getopt(ka.user.groups, "nt:")', "(n,t,v)"],
    ['%getopt(ka.user.groups, "nt:")[t]', "v"],
    ['%getopt(ka.user.groups, "nt:")[x]', "<NA>"],
    ['%getopt(ka.user.groups, "x")', "(?,?)"],
    ['%getopt(("file"), "x")', "()"],
    // len() is a UINT64 printed with the print format of the field under it: PF_NA for libsinsp's own
    // string fields and for join/concat/getopt (no text: <NA>), PF_DEC for plugin fields.
    ["%len(proc.name)", "<NA>", "3"],
    ["%len(ka.user.groups)", "<NA>", "4"],
    ["[%3len(ka.user.groups)]", "[<NA]", "[4  ]"],
    ["%len(container.image)", "<NA>", "<NA>"],
    ['%len(concat(proc.name, "x"))', "<NA>", "<NA>"],
  ];
  for (const [format, expected, asPlugin] of table) {
    const compiled = compile(format);
    assert.equal(compiled.bind(syscall).text(mixedCase), expected, format);
    assert.equal(compiled.bind(plugin).text(mixedCase), asPlugin ?? expected, `${format} (plugin)`);
  }
});

test("output_fields with transformers: the fields read, untransformed; never the transformer", () => {
  const source = testSource();
  const format = compile(
    '%toupper(proc.name) %tolower(toupper(proc.aname[2])) %concat(proc.cmdline, "x") %len(container.image) ' +
      '%join(",", (proc.name, fd.name)) %b64(evt.buffer)',
  );
  assert.deepEqual(
    format.fields.map((f) => f.key),
    ["container.image", "evt.buffer", "fd.name", "proc.aname[2]", "proc.cmdline", "proc.name"],
  );
  const bound = format.bind(source);
  assert.equal(
    bound.fieldsJson(mixedCase),
    '{"container.image":null,"evt.buffer":"aGk=","fd.name":"/dev/Null","proc.aname[2]":"BaSh",' +
      '"proc.cmdline":"cat /dev/null","proc.name":"Cat"}',
  );
  assert.deepEqual(bound.fieldStrings(mixedCase), {
    "container.image": "<NA>",
    "evt.buffer": "aGk=",
    "fd.name": "/dev/Null",
    "proc.aname[2]": "BaSh",
    "proc.cmdline": "cat /dev/null",
    "proc.name": "Cat",
  });
  // A field both alone and under a transformer is one key, with the untransformed value.
  const both = compile("%proc.name %toupper(proc.name)").bind(source);
  assert.equal(both.fieldsJson(mixedCase), '{"proc.name":"Cat"}');
  assert.equal(both.text(mixedCase), "Cat CAT");
});

test("output_fields: sorted distinct keys with typed JSON values", () => {
  const source = testSource();
  const format = compile(
    "%proc.pid %proc.name %fd.cport %thread.cpu %proc.is_exe_writable %evt.flags %ka.user.groups " +
      "%evt.buffer %proc.name %evt.time.iso8601 %proc.aname[2] %evt.arg.flags",
  );
  assert.deepEqual(
    format.fields.map((f) => f.key),
    [
      "evt.arg.flags",
      "evt.buffer",
      "evt.flags",
      "evt.time.iso8601",
      "fd.cport",
      "ka.user.groups",
      "proc.aname[2]",
      "proc.is_exe_writable",
      "proc.name",
      "proc.pid",
      "thread.cpu",
    ],
  );
  const bound = format.bind(source);
  assert.equal(
    bound.fieldsJson(event),
    '{"evt.arg.flags":"O_RDONLY","evt.buffer":"hi","evt.flags":"O_RDONLY|O_CLOEXEC",' +
      '"evt.time.iso8601":1470327477881781397,"fd.cport":null,' +
      '"ka.user.groups":["system:masters","system:authenticated"],"proc.aname[2]":"bash",' +
      '"proc.is_exe_writable":false,"proc.name":"cat","proc.pid":4242,"thread.cpu":0.10000000000000001}',
  );
  // Falco >= 0.39 re-parses and re-dumps the same values with nlohmann.
  assert.match(format.bind(source, { dialect: "nlohmann" }).fieldsJson(event), /"thread\.cpu":0\.1\}$/);
  assert.deepEqual(bound.fieldStrings(event)["fd.cport"], "<NA>");
  assert.deepEqual(bound.fieldStrings(event)["evt.time.iso8601"], "2016-08-04T16:17:57.881781397+0000");
});

test("output_fields: the time key is merged in order and valued with the alert time", () => {
  const source = testSource();
  const bound = compile("%proc.name %fd.name").bind(source, { timeKey: "evt.time" });
  assert.equal(
    bound.fieldsJson(event, 1470327477881781397n),
    '{"evt.time":1470327477881781397,"fd.name":"/dev/null","proc.name":"cat"}',
  );
  // A format that names the time field itself has it once.
  const both = compile("%evt.time %proc.name").bind(source, { timeKey: "evt.time" });
  assert.equal(both.fieldsJson(event, 5n), '{"evt.time":5,"proc.name":"cat"}');
  // Time fields are the event timestamp in JSON even when their extractor yields text.
  const textTime = { ...source, extractor: () => () => "16:17:57.882054739" };
  const timed = compile("%evt.time.iso8601 %evt.time").bind(textTime, { timeKey: "evt.time" });
  assert.equal(timed.fieldsJson(event, 9n), '{"evt.time":9,"evt.time.iso8601":9}');
  assert.equal(
    timed.fieldsJson(event),
    '{"evt.time":"16:17:57.882054739","evt.time.iso8601":"16:17:57.882054739"}',
  );
  // Empty list: null, as libsinsp's tojson.
  const list = compile("%ka.user.groups").bind(source);
  assert.equal(list.fieldsJson({ ts: 0n, values: { "ka.user.groups": [] } }), '{"ka.user.groups":null}');
});

test("binding plans one extractor per distinct field, shared by text and output_fields", () => {
  const source = testSource();
  const bound = compile("%proc.name %proc.name %fd.name %5fd.name").bind(source);
  assert.equal(source.extractors, 2);
  assert.equal(bound.text(event), "cat cat /dev/null /dev/");
  // Transformers read through the same extractors.
  const shared = testSource();
  const withTransformers = compile("%proc.name %toupper(proc.name) %concat(proc.name, proc.cmdline)").bind(
    shared,
  );
  assert.equal(shared.extractors, 2);
  assert.equal(withTransformers.text(event), "cat CAT catcat /dev/null");
});

test("%container.info and append, with Falco's -p presets", () => {
  const source = testSource();
  const text = (format: string, options: OutputFormatOptions): string =>
    compile(format, options).bind(source).text(event);
  assert.equal(text("x %container.info y", { containerInfo: DEFAULT_CONTAINER_INFO }), "x host (id=host) y");
  assert.equal(text("x %container.info", { containerInfo: "" }), "x ");
  assert.equal(text("x %proc.name", { append: ["pid=%proc.pid", "n=%evt.num"] }), "x cat pid=4242 n=<NA>");

  // -p presets replace %container.info when the output has it, else they are appended.
  const withInfo = "open (%container.info)";
  assert.deepEqual(falcoOutputOptions(withInfo, "syscall", "c"), {
    containerInfo: "container=%container.name (id=%container.id)",
  });
  assert.equal(
    text(withInfo, falcoOutputOptions(withInfo, "syscall", "c")),
    "open (container=host (id=host))",
  );
  assert.equal(
    text("open", falcoOutputOptions("open", "syscall", "k")),
    "open k8s.ns=<NA> k8s.pod=<NA> container=host",
  );
  // A custom -p is appended; %container.info keeps its default meaning.
  assert.equal(
    text(withInfo, falcoOutputOptions(withInfo, "syscall", "user=%proc.name")),
    "open (host (id=host)) user=cat",
  );
  assert.equal(text(withInfo, falcoOutputOptions(withInfo, "syscall")), "open (host (id=host))");
  // Other sources get neither.
  assert.deepEqual(falcoOutputOptions(withInfo, "k8s_audit", "c"), {});
});

test("errors in appended formats point into the compiled text", () => {
  const result = compileOutputFormat("x %proc.name", testSchema, { append: ["%nope"] });
  assert.ok(!result.ok);
  assert.equal(result.error.text, "x %proc.name %nope");
  assert.deepEqual([result.error.start, result.error.end], [13, 18]);
  // Inside the alias expansion: the alias is underlined.
  const alias = compileOutputFormat("a %container.info b", testSchema, { containerInfo: "%nope" });
  assert.ok(!alias.ok);
  assert.deepEqual([alias.error.start, alias.error.end, alias.error.code], [2, 17, "FMT_UNKNOWN_FIELD"]);
});

test("fitWidth pads and cuts UTF-8 bytes on character boundaries", () => {
  const table: [string, number, string][] = [
    ["cat", 5, "cat  "],
    ["cat", 3, "cat"],
    ["catalog", 3, "cat"],
    ["é", 2, "é"],
    ["éa", 2, "é"],
    ["aé", 2, "a "],
    ["😀x", 5, "😀x"],
    ["😀", 3, "   "],
  ];
  for (const [text, width, expected] of table)
    assert.equal(fitWidth(text, width), expected, `${text}/${width}`);
});

test("every output format of the filter oracle and of the corpus rules compiles against the syscall fields", () => {
  const oracle = JSON.parse(readFileSync(corpusPath("filter-oracle.json"), "utf8")) as {
    captures: Record<string, { formats?: { format: string }[] }>;
  };
  const formats = new Set<string>();
  for (const capture of Object.values(oracle.captures))
    for (const f of capture.formats ?? []) formats.add(f.format);
  assert.ok(formats.size >= 9);
  for (const format of formats) {
    const result = compileOutputFormat("*" + format, syscallSchema);
    assert.ok(result.ok, `${format}: ${result.ok ? "" : result.error.message}`);
  }
  // falco_rules.yaml 1.0.1, as Falco loads them: %container.info expanded for syscall rules.
  const rules = parseYaml(readFileSync(corpusPath("rules/falco-rules-1.0.1/falco_rules.yaml"), "utf8")) as {
    rule?: string;
    output?: string;
    source?: string;
  }[];
  let count = 0;
  for (const item of rules) {
    if (item.rule === undefined || item.output === undefined || (item.source ?? "syscall") !== "syscall")
      continue;
    const output = item.output.trim();
    const result = compileOutputFormat(output, syscallSchema, falcoOutputOptions(output, "syscall"));
    assert.ok(result.ok, `${item.rule}: ${result.ok ? "" : result.error.message}`);
    count++;
  }
  assert.ok(count > 50, `only ${count} rules`);
});
