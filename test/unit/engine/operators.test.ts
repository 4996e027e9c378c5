import { test } from "node:test";
import assert from "node:assert/strict";
import type { FieldType } from "../../../src/fields/types.js";
import { Ip } from "../../../src/engine/ip.js";
import {
  type CheckOperator,
  isOperatorSupported,
  operatorError,
  parseConstant,
  parseHexBytes,
} from "../../../src/engine/operators.js";

const ALL_OPS: readonly CheckOperator[] = [
  "=",
  "==",
  "!=",
  "<",
  "<=",
  ">",
  ">=",
  "contains",
  "icontains",
  "bcontains",
  "startswith",
  "bstartswith",
  "endswith",
  "glob",
  "iglob",
  "regex",
  "in",
  "intersects",
  "pmatch",
  "exists",
];

// The operators each type accepts, after libsinsp's test operators_field_types_compatibility.
const ACCEPTS: readonly (readonly [FieldType, boolean, string])[] = [
  ["ABSTIME", false, "= == != < <= > >= in intersects exists"],
  ["UINT64", false, "= == != < <= > >= in intersects exists"],
  ["INT16", false, "= == != < <= > >= in intersects exists"],
  ["PORT", false, "= == != < <= > >= in intersects exists"],
  ["DOUBLE", false, "= == != < <= > >= in intersects exists"],
  ["BOOL", false, "= == != in intersects exists"],
  ["BYTEBUF", false, "= == != contains bcontains startswith bstartswith endswith in intersects exists"],
  [
    "CHARBUF",
    false,
    "= == != < <= > >= contains icontains startswith endswith glob iglob regex in intersects pmatch exists",
  ],
  [
    "FSPATH",
    false,
    "= == != < <= > >= contains icontains startswith endswith glob iglob regex in intersects pmatch exists",
  ],
  ["IPADDR", false, "= == != in intersects exists"],
  ["IPNET", false, "= == != in intersects exists"],
  ["IPV6NET", false, "= == != in intersects exists"],
  ["UID", false, "exists"],
  ["L4PROTO", false, "exists"],
  ["SOCKTUPLE", false, "exists"],
  ["CHARBUF", true, "in intersects exists"],
  ["UINT64", true, "in intersects exists"],
  ["IPNET", true, "in intersects exists"],
  ["INT64", true, "exists"],
  ["BYTEBUF", true, "exists"],
];

test("operator table per field type", () => {
  for (const [type, isList, accepted] of ACCEPTS) {
    const expected = new Set(accepted.split(" "));
    for (const op of ALL_OPS) {
      assert.equal(
        isOperatorSupported(op, type, isList),
        expected.has(op),
        `${op} on ${type}${isList ? " list" : ""}`,
      );
    }
  }
});

test("operator errors carry libsinsp's messages", () => {
  const cases: [CheckOperator, FieldType, boolean, string | undefined][] = [
    ["==", "INT64", false, undefined],
    ["contains", "INT64", false, "filter error: 'contains' operator not supported for numeric filters"],
    ["glob", "BOOL", false, "filter error: 'glob' operator not supported for numeric filters"],
    ["bcontains", "CHARBUF", false, "filter error: 'bcontains' operator not supported for string filters"],
    ["iglob", "BYTEBUF", false, "filter error: 'iglob' operator not supported for buffer filters"],
    ["<", "IPNET", false, "filter error: '<' operator not supported for ip address and network filters"],
    ["==", "UID", false, "filter error: '=' operator not supported for type 'UID'"],
    ["==", "CHARBUF", true, "filter error: '=' operator not supported list filters"],
    ["in", "INT64", true, "filter error: list filters are not supported for type 'INT64'"],
  ];
  for (const [op, type, isList, message] of cases) {
    assert.equal(operatorError(op, undefined, type, isList), message, `${op} ${type}`);
  }
  assert.equal(operatorError("==", "anyof", "IPADDR", false), undefined);
  assert.equal(
    operatorError("regex", "allof", "IPADDR", false),
    "filter error: 'regex' with modifier not supported for ip address and network filters",
  );
  assert.equal(operatorError("exists", undefined, "SIGSET", true), undefined);
});

function ip4(a: string): Ip {
  const r = parseConstant(a, "IPV4ADDR", "=");
  assert.ok(r.ok);
  return r.value as Ip;
}

test("constants: numbers follow sscanf and C casts", () => {
  const cases: [string, FieldType, number | bigint | string][] = [
    ["42", "UINT64", 42],
    ["+42", "INT32", 42],
    [" \t42", "INT64", 42],
    ["-1", "INT64", -1],
    ["-1", "UINT64", 18446744073709551615n],
    ["-1", "UINT32", 4294967295],
    ["18446744073709551616", "UINT64", 18446744073709551615n],
    ["9223372036854775808", "INT64", 9223372036854775807n],
    ["1700000000123456789", "ABSTIME", 1700000000123456789n],
    ["300", "UINT8", 44],
    ["200", "INT8", -56],
    ["70000", "UINT16", 4464],
    ["4294967296", "INT32", 0],
    ["7", "DOUBLE", 7],
    ["0x10", "UINT32", "0x10 is not a valid number"],
    ["1.5", "DOUBLE", "1.5 is not a valid number"],
    ["12 ", "INT64", "12  is not a valid number"],
    ["", "INT64", " is not a valid number"],
    ["abc", "UINT16", "abc is not a valid number"],
  ];
  for (const [text, type, expected] of cases) {
    const r = parseConstant(text, type, "=");
    if (typeof expected === "string")
      assert.deepEqual(r, { ok: false, message: expected }, `${text} as ${type}`);
    else assert.deepEqual(r, { ok: true, value: expected }, `${text} as ${type}`);
  }
});

test("constants: booleans, strings, ports, bytes", () => {
  assert.deepEqual(parseConstant("true", "BOOL", "="), { ok: true, value: true });
  assert.deepEqual(parseConstant("false", "BOOL", "!="), { ok: true, value: false });
  assert.deepEqual(parseConstant("True", "BOOL", "="), {
    ok: false,
    message: "filter error: unrecognized boolean value True",
  });
  assert.deepEqual(parseConstant("a b", "CHARBUF", "="), { ok: true, value: "a b" });
  assert.deepEqual(parseConstant("a\0b", "CHARBUF", "="), {
    ok: false,
    message: "filter error: filter value cannot contain a NUL byte (\\x00)",
  });
  assert.deepEqual(parseConstant("", "PORT", "="), { ok: true, value: 0 });
  assert.deepEqual(parseConstant("8080", "PORT", "="), { ok: true, value: 8080 });
  assert.deepEqual(parseConstant("no-such-service-name", "PORT", "="), {
    ok: false,
    message: "unrecognized protocol no-such-service-name",
  });
  // Byte buffers take the text's bytes for ordinary operators, hex for bcontains/bstartswith.
  assert.deepEqual(parseConstant("GET", "BYTEBUF", "contains"), {
    ok: true,
    value: new Uint8Array([71, 69, 84]),
  });
  assert.deepEqual(parseConstant("4745", "BYTEBUF", "bcontains"), {
    ok: true,
    value: new Uint8Array([0x47, 0x45]),
  });
  assert.deepEqual(parseHexBytes("00fFa1"), new Uint8Array([0, 255, 161]));
  for (const bad of ["abc", "zz", "0x00", "12 34"]) {
    assert.equal(parseHexBytes(bad), undefined, bad);
    assert.deepEqual(parseConstant(bad, "BYTEBUF", "bstartswith"), {
      ok: false,
      message: "filter error: bcontains and bstartswith operator support hex strings only",
    });
  }
});

test("constants: port names come from the services database", { skip: !serviceKnown("ssh") }, () => {
  assert.deepEqual(parseConstant("ssh", "PORT", "="), { ok: true, value: 22 });
});

function serviceKnown(name: string): boolean {
  return parseConstant(name, "PORT", "=").ok;
}

test("constants: IP addresses and networks", () => {
  assert.equal(ip4("10.0.0.1").v4, 0x0a000001);
  assert.equal(ip4("255.255.255.255").v4, 0xffffffff);
  const net = parseConstant("192.168.0.0/16", "IPNET", "=");
  assert.ok(net.ok);
  assert.equal((net.value as Ip).mask4, 0xffff0000);
  const net0 = parseConstant("1.2.3.4/0", "IPV4NET", "=");
  assert.ok(net0.ok);
  assert.equal((net0.value as Ip).mask4, 0);
  // The netmask is read as a byte: /256 wraps to /0, as libsinsp's parseu8 does.
  const wrapped = parseConstant("1.2.3.4/256", "IPNET", "=");
  assert.ok(wrapped.ok);
  assert.equal((wrapped.value as Ip).mask4, 0);
  const v6 = parseConstant("2001:db8::/33", "IPNET", "=");
  assert.ok(v6.ok);
  assert.equal((v6.value as Ip).family, 6);
  assert.deepEqual([(v6.value as Ip).v6Bytes, (v6.value as Ip).v6TailShift], [4, 7]);
  const errors: [string, FieldType, string][] = [
    ["1.2.3.4.5", "IPV4ADDR", "unrecognized IPv4 address 1.2.3.4.5"],
    ["256.1.1.1", "IPADDR", "unrecognized IPv4 address 256.1.1.1"],
    ["::ffff:1.2.3.4", "IPADDR", "unrecognized IPv4 address ::ffff:1.2.3.4"],
    ["1::2::3", "IPV6ADDR", "unrecognized IPv6 address 1::2::3"],
    ["10.0.0.0", "IPV4NET", "unrecognized IP network 10.0.0.0"],
    ["10.0.0.0/40", "IPNET", "invalid netmask 40"],
    ["fe80::/200", "IPV6NET", "invalid v6 netmask 200"],
    ["fe80::", "IPNET", "invalid v6 netmask: fe80::"],
    ["fe80:::1/64", "IPNET", "unrecognized IPv6 address fe80:::1/64"],
  ];
  for (const [text, type, message] of errors) {
    assert.deepEqual(parseConstant(text, type, "="), { ok: false, message }, `${text} as ${type}`);
  }
});
