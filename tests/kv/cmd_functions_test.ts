import { assertEquals, err, Harness } from "./_harness.ts";
import { replayRecord } from "../../src/kv/dispatch.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/kv/snapshot.ts";
import { parseLibraryHeader } from "../../src/kv/script_functions.ts";

const library = `#!lua name=mylib
redis.register_function('setget', function(keys, args)
  redis.call('set', keys[1], args[1])
  return redis.call('get', keys[1])
end)
redis.register_function{function_name='peek', callback=function(keys)
  return redis.call('get', keys[1])
end, flags={'no-writes'}, description='reads a key'}
`;

Deno.test("FUNCTION LOAD registers functions that FCALL and FCALL_RO run", () => {
  const c = new Harness().client();
  assertEquals(c.run("FUNCTION", "LOAD", library), "mylib");
  assertEquals(c.run("FCALL", "setget", "1", "k", "v"), "v");
  assertEquals(c.run("FCALL", "SETGET", "1", "k", "w"), "w");
  assertEquals(c.run("FCALL_RO", "peek", "1", "k"), "w");
  assertEquals(
    c.run("FCALL_RO", "setget", "1", "k", "v"),
    err("ERR Can not execute a script with write flag using *_ro command."),
  );
  assertEquals(c.run("FCALL", "nosuch", "0"), err("ERR Function not found"));
  assertEquals(c.run("FCALL", "peek", "x"), err("ERR Bad number of keys provided"));
  assertEquals(c.run("FUNCTION", "LOAD", library), err("ERR Library 'mylib' already exists"));
  assertEquals(c.run("FUNCTION", "LOAD", "REPLACE", library), "mylib");
  assertEquals(c.run("FUNCTION", "LIST"), [[
    "library_name",
    "mylib",
    "engine",
    "LUA",
    "functions",
    [
      ["name", "setget", "description", null, "flags", []],
      ["name", "peek", "description", "reads a key", "flags", ["no-writes"]],
    ],
  ]]);
  assertEquals(c.run("FUNCTION", "STATS"), [
    "running_script",
    null,
    "engines",
    ["LUA", ["libraries_count", 1, "functions_count", 2]],
  ]);
  const dump = c.run("FUNCTION", "DUMP");
  assertEquals(c.run("FUNCTION", "DELETE", "mylib"), "OK");
  assertEquals(c.run("FUNCTION", "DELETE", "mylib"), err("ERR Library not found"));
  assertEquals(c.run("FUNCTION", "RESTORE", String(dump)), "OK");
  assertEquals(c.run("FCALL_RO", "peek", "1", "k"), "w");
  assertEquals(
    c.run("FUNCTION", "RESTORE", "garbage"),
    err("ERR payload version or checksum are wrong"),
  );
  assertEquals(c.run("FUNCTION", "FLUSH"), "OK");
  assertEquals(c.run("FUNCTION", "LIST"), []);
});

Deno.test("FUNCTION LOAD checks the library header and what the body registers", () => {
  const c = new Harness().client();
  const load = (code: string) => c.run("FUNCTION", "LOAD", code);
  assertEquals(load("return 1"), err("ERR Missing library metadata"));
  assertEquals(load("#!js name=x\n"), err("ERR Engine 'js' not found"));
  assertEquals(load("#!lua\n"), err("ERR Library name was not given"));
  assertEquals(
    load("#!lua name=a name=b\n"),
    err(
      "ERR Invalid metadata value, name argument was given multiple times",
    ),
  );
  assertEquals(load("#!lua name=x\nreturn 1"), err("ERR No functions registered"));
  const math = load("#!lua name=x\nreturn math.random()");
  assertEquals(
    math,
    err("ERR user_function:2: Script attempted to access nonexistent global variable 'math'"),
  );
  assertEquals(
    load("#!lua name=x\nredis.register_function('f', 1)"),
    err("ERR user_function:2: second argument to redis.register_function must be a function"),
  );
  assertEquals(parseLibraryHeader(new TextEncoder().encode('#!lua name="q"\n')), {
    name: "q",
    body: new TextEncoder().encode("\n"),
  });
});

Deno.test("function libraries survive WAL replay and snapshots", () => {
  const h = new Harness();
  const c = h.client();
  c.run("FUNCTION", "LOAD", library);
  c.run(
    "FUNCTION",
    "LOAD",
    "#!lua name=other\nredis.register_function('one', function() return 1 end)",
  );
  c.run("FUNCTION", "DELETE", "other");
  c.run("FCALL", "setget", "1", "k", "v");
  const replayed = new Harness();
  for (const r of h.wal.records) replayRecord(replayed.engine, r.payload);
  const r = replayed.client();
  assertEquals(r.run("FCALL_RO", "peek", "1", "k"), "v");
  assertEquals(r.run("FCALL", "one", "0"), err("ERR Function not found"));

  const chunks: Uint8Array[] = [];
  encodeSnapshot(h.engine, 7, (ch) => chunks.push(ch));
  const bytes = new Uint8Array(chunks.reduce((n, ch) => n + ch.length, 0));
  let at = 0;
  for (const ch of chunks) (bytes.set(ch, at), at += ch.length);
  const loaded = new Harness();
  assertEquals(decodeSnapshot(loaded.engine, bytes), 7);
  assertEquals(loaded.client().run("FCALL_RO", "peek", "1", "k"), "v");
});
