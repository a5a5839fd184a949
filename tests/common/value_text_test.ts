import assert from "node:assert/strict";
import { DbError } from "../../src/common/errors.ts";
import {
  arrayOf,
  Interval,
  recordOf,
  type SqlType,
  type,
  type TypeId,
} from "../../src/common/types.ts";
import {
  charTypmod,
  formatTypeName,
  formatValue,
  parseValue,
} from "../../src/common/value_text.ts";
import { numericTypmod } from "../../src/common/numeric.ts";

function rt(text: string, t: SqlType | TypeId, timeZone = "UTC"): string {
  const ty = typeof t === "string" ? type(t) : t;
  return formatValue(parseValue(text, ty, { timeZone }), ty, { timeZone });
}

function code(fn: () => unknown): string {
  try {
    fn();
    return "";
  } catch (e) {
    assert.ok(e instanceof DbError, String(e));
    return e.sqlstate;
  }
}

Deno.test("bool input accepts PostgreSQL's spellings and prints t/f", () => {
  for (const t of ["t", "TRUE", "yes", "on", "1", " y ", "tr"]) assert.equal(rt(t, "bool"), "t");
  for (const f of ["f", "false", "NO", "off", "0", "fa"]) assert.equal(rt(f, "bool"), "f");
  assert.equal(code(() => parseValue("o", type("bool"))), "22P02");
  assert.equal(code(() => parseValue("maybe", type("bool"))), "22P02");
});

Deno.test("integer input checks syntax and range with PostgreSQL's messages", () => {
  assert.equal(rt(" 42 ", "int4"), "42");
  assert.equal(rt("-32768", "int2"), "-32768");
  assert.equal(rt("9223372036854775807", "int8"), "9223372036854775807");
  assert.throws(() => parseValue("99999999999", type("int4")), {
    message: 'value "99999999999" is out of range for type integer',
  });
  assert.throws(() => parseValue("12a", type("int4")), {
    message: 'invalid input syntax for type integer: "12a"',
  });
  assert.equal(code(() => parseValue("40000", type("int2"))), "22003");
  assert.equal(code(() => parseValue("1.5", type("int8"))), "22P02");
});

Deno.test("float output is PostgreSQL 15's shortest round-trip format", () => {
  const cases: [string, string][] = [
    ["0.1", "0.1"],
    ["1e15", "1e+15"],
    ["123456789012345", "123456789012345"],
    ["0.0001", "0.0001"],
    ["0.00001", "1e-05"],
    ["-0", "-0"],
    ["NaN", "NaN"],
    ["-Infinity", "-Infinity"],
    ["inf", "Infinity"],
    ["1.5e300", "1.5e+300"],
    ["100", "100"],
  ];
  for (const [input, out] of cases) assert.equal(rt(input, "float8"), out, input);
  assert.equal(rt("0.1", "float4"), "0.1");
  assert.equal(rt("100000000", "float4"), "1e+08");
  assert.equal(rt("123456.7", "float4"), "123456.7");
  assert.equal(rt("3.14159265", "float4"), "3.1415927");
  assert.equal(code(() => parseValue("1e400", type("float8"))), "22003");
  assert.equal(code(() => parseValue("1e40", type("float4"))), "22003");
  assert.equal(code(() => parseValue("abc", type("float8"))), "22P02");
});

Deno.test("numeric input applies the typmod", () => {
  assert.equal(rt("1.005", type("numeric", numericTypmod(5, 2))), "1.01");
  assert.equal(rt("7", type("numeric", numericTypmod(5, 2))), "7.00");
  assert.equal(code(() => parseValue("1000", type("numeric", numericTypmod(5, 2)))), "22003");
});

Deno.test("character types check and pad lengths", () => {
  assert.equal(rt("abc", type("varchar", charTypmod(3))), "abc");
  assert.equal(rt("ab   ", type("varchar", charTypmod(3))), "ab ");
  assert.equal(code(() => parseValue("abcd", type("varchar", charTypmod(3)))), "22001");
  assert.equal(rt("ab", type("bpchar", charTypmod(4))), "ab  ");
  assert.equal(formatTypeName(type("varchar", charTypmod(3))), "character varying(3)");
  assert.equal(formatTypeName(arrayOf(type("int4"))), "integer[]");
});

Deno.test("bytea uses hex output and accepts escape input", () => {
  assert.equal(rt("\\x0102FF", "bytea"), "\\x0102ff");
  assert.equal(rt("abc\\\\d", "bytea"), "\\x6162635c64");
  assert.equal(rt("a\\001", "bytea"), "\\x6101");
  assert.equal(code(() => parseValue("\\x0", type("bytea"))), "22023");
  assert.equal(code(() => parseValue("\\9", type("bytea"))), "22P02");
});

Deno.test("dates, times and timestamps use the ISO formats", () => {
  assert.equal(rt("2024-01-31", "date"), "2024-01-31");
  assert.equal(rt("20240131", "date"), "2024-01-31");
  assert.equal(rt("Jan 31 2024", "date"), "2024-01-31");
  assert.equal(rt("0044-03-15 BC", "date"), "0044-03-15 BC");
  assert.equal(rt("1900-02-28", "date"), "1900-02-28");
  assert.equal(code(() => parseValue("2024-02-30", type("date"))), "22008");
  assert.equal(code(() => parseValue("bogus", type("date"))), "22007");
  assert.equal(rt("12:34", "time"), "12:34:00");
  assert.equal(rt("23:59:59.999999", "time"), "23:59:59.999999");
  assert.equal(rt("2024-01-31 12:34:56.123456", "timestamp"), "2024-01-31 12:34:56.123456");
  assert.equal(rt("2024-01-31T12:34:56.5", "timestamp"), "2024-01-31 12:34:56.5");
  assert.equal(rt("1969-12-31 23:59:59", "timestamp"), "1969-12-31 23:59:59");
});

Deno.test("timestamptz converts through the session time zone", () => {
  assert.equal(rt("2024-01-31 12:34:56+02", "timestamptz"), "2024-01-31 10:34:56+00");
  assert.equal(rt("2024-01-31 12:00", "timestamptz", "America/New_York"), "2024-01-31 12:00:00-05");
  assert.equal(rt("2024-07-01 12:00", "timestamptz", "Europe/Berlin"), "2024-07-01 12:00:00+02");
  assert.equal(
    rt("2024-01-31 12:00+00", "timestamptz", "Asia/Kolkata"),
    "2024-01-31 17:30:00+05:30",
  );
  assert.equal(rt("2024-01-31 12:00 Europe/Paris", "timestamptz"), "2024-01-31 11:00:00+00");
  assert.equal(rt("2024-01-31 12:00Z", "timestamptz"), "2024-01-31 12:00:00+00");
  // Skipped and repeated wall-clock times resolve as PostgreSQL does.
  assert.equal(rt("2024-03-10 02:30", "timestamptz", "America/New_York"), "2024-03-10 03:30:00-04");
  assert.equal(rt("2024-11-03 01:30", "timestamptz", "America/New_York"), "2024-11-03 01:30:00-05");
});

Deno.test("interval input forms and postgres-style output", () => {
  const cases: [string, string][] = [
    ["1 year 2 mons 3 days 04:05:06", "1 year 2 mons 3 days 04:05:06"],
    ["1 day", "1 day"],
    ["2 hours", "02:00:00"],
    ["-1 day +2 hours", "-1 days +02:00:00"],
    ["1.5 hours", "01:30:00"],
    ["1.5 months", "1 mon 15 days"],
    ["@ 3 days ago", "-3 days"],
    ["P1Y2M3DT4H5M6S", "1 year 2 mons 3 days 04:05:06"],
    ["P1D", "1 day"],
    ["PT1.5S", "00:00:01.5"],
    ["100 hours", "100:00:00"],
    ["-00:00:01", "-00:00:01"],
    ["1 mon -1 day", "1 mon -1 days"],
    ["0", "00:00:00"],
    ["2 weeks", "14 days"],
    ["10", "00:00:10"],
    ["123 ms", "00:00:00.123"],
  ];
  for (const [input, out] of cases) assert.equal(rt(input, "interval"), out, input);
  assert.deepEqual(parseValue("1 mon 2 days 3 us", type("interval")), new Interval(1, 2, 3n));
  assert.equal(code(() => parseValue("1 fortnight", type("interval"))), "22007");
});

Deno.test("uuid accepts PostgreSQL's input forms", () => {
  assert.equal(
    rt("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "uuid"),
    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
  );
  assert.equal(
    rt("{a0eebc999c0b4ef8bb6d6bb9bd380a11}", "uuid"),
    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
  );
  assert.equal(code(() => parseValue("a0eebc99-9c0b", type("uuid"))), "22P02");
});

Deno.test("json keeps text; jsonb prints canonically", () => {
  assert.equal(rt(' {"b" :1} ', "json"), ' {"b" :1} ');
  assert.equal(rt('{"b":1,"aa":2,"a":[1,2]}', "jsonb"), '{"a": [1, 2], "b": 1, "aa": 2}');
  assert.equal(rt('{"a": 1, "a": 2}', "jsonb"), '{"a": 2}');
  assert.equal(
    rt('{"a": 1.50, "b": 1e3, "c": "\\u00e9\\n"}', "jsonb"),
    '{"a": 1.50, "b": 1000, "c": "é\\n"}',
  );
  assert.equal(rt("[]", "jsonb"), "[]");
  assert.equal(rt('"x"', "jsonb"), '"x"');
  assert.equal(code(() => parseValue("{a:1}", type("jsonb"))), "22P02");
  assert.equal(code(() => parseValue("[1,]", type("json"))), "22P02");
});

Deno.test("arrays quote elements like PostgreSQL", () => {
  const text = arrayOf(type("text"));
  assert.equal(rt('{1,2,NULL,"a b"}', text), '{1,2,NULL,"a b"}');
  assert.equal(
    rt('{"",NULL,"NULL","a\\"b","a\\\\b","x,y"}', text),
    '{"",NULL,"NULL","a\\"b","a\\\\b","x,y"}',
  );
  assert.equal(rt("{{1,2},{3,4}}", arrayOf(type("int4"))), "{{1,2},{3,4}}");
  assert.equal(rt("{ 1 , 2 }", arrayOf(type("int4"))), "{1,2}");
  assert.equal(rt("{}", arrayOf(type("int4"))), "{}");
  assert.equal(code(() => parseValue("{1,2", arrayOf(type("int4")))), "22P02");
  assert.equal(code(() => parseValue("{1,x}", arrayOf(type("int4")))), "22P02");
});

Deno.test("vector text I/O follows pgvector", () => {
  assert.equal(rt("[1,2,3]", "vector"), "[1,2,3]");
  assert.equal(rt(" [1.5, -2.25 ,1e-3] ", "vector"), "[1.5,-2.25,0.001]");
  assert.equal(code(() => parseValue("[1,2]", type("vector", 3))), "22000");
  assert.equal(code(() => parseValue("1,2", type("vector"))), "22P02");
});

Deno.test("record output follows record_out's quoting, typed by its fields", () => {
  const rec = recordOf([
    { name: "f1", type: type("int4") },
    { name: "f2", type: type("text") },
    { name: "f3", type: type("text") },
    { name: "f4", type: type("bool") },
    { name: "f5", type: type("date") },
    { name: "f6", type: type("text") },
  ]);
  assert.equal(formatValue([1, "a b", "", true, 0, null], rec), '(1,"a b","",t,1970-01-01,)');
  assert.equal(
    formatValue([2, 'q"', "x,(y)", false, 1, "\\"], rec),
    '(2,"q""","x,(y)",f,1970-01-02,"\\\\")',
  );
  // Arrays of records quote each record as an element.
  const arr = arrayOf(
    recordOf([{ name: "a", type: type("int4") }, { name: "b", type: type("text") }]),
  );
  assert.equal(formatValue([[1, "x"], [2, null]], arr), '{"(1,x)","(2,)"}');
});
