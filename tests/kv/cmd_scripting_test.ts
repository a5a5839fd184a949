import { assertEquals, err, Harness } from "./_harness.ts";
import { decodeRecord } from "../../src/kv/record.ts";
import { latin1 } from "../../src/kv/bytes.ts";
import { evalScriptsMax, scriptBytesMax } from "../../src/common/limits.ts";

/** Every command the WAL holds, as "name arg ...". */
function logged(h: Harness): string[] {
  return h.wal.records.flatMap((r) =>
    decodeRecord(r.payload).map((cmd) => cmd.argv.map((a) => latin1(a)).join(" "))
  );
}

Deno.test("EVAL converts Lua values to replies as Redis does", () => {
  const c = new Harness().client();
  assertEquals(c.run("EVAL", "return 'hello'", "0"), "hello");
  assertEquals(c.run("EVAL", "return 100.5", "0"), 100);
  assertEquals(c.run("EVAL", "return true", "0"), 1);
  assertEquals(c.run("EVAL", "return false", "0"), null);
  assertEquals(c.run("EVAL", "return {ok='fine'}", "0"), "fine");
  assertEquals(
    c.run("EVAL", "return {err='ERR this is an error'}", "0"),
    err("ERR this is an error"),
  );
  assertEquals(c.run("EVAL", "return {1,2,3,'ciao',{1,2}}", "0"), [1, 2, 3, "ciao", [1, 2]]);
  assertEquals(c.run("EVAL", "return {1,2,nil,4}", "0"), [1, 2]);
  assertEquals(c.run("EVAL", "return _G", "0"), []);
  assertEquals(
    c.run("EVAL", "return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", "2", "a", "b", "c", "d"),
    ["a", "b", "c", "d"],
  );
});

Deno.test("redis.call and redis.pcall convert replies to Lua values", () => {
  const c = new Harness().client();
  c.run("SET", "x", "0");
  assertEquals(
    c.run("EVAL", "local f = redis.pcall('incr', KEYS[1]) return {type(f), f}", "1", "x"),
    ["number", 1],
  );
  c.run("SET", "k", "v");
  assertEquals(c.run("EVAL", "return redis.call('get', KEYS[1])", "1", "k"), "v");
  c.run("RPUSH", "l", "a", "b", "c");
  assertEquals(
    c.run(
      "EVAL",
      "local f = redis.call('lrange', KEYS[1], 0, -1) return {type(f), f[1], f[3], #f}",
      "1",
      "l",
    ),
    ["table", "a", "c", 3],
  );
  assertEquals(
    c.run("EVAL", "local f = redis.pcall('set', 'k', 'v') return {type(f), f['ok']}", "0"),
    ["table", "OK"],
  );
  assertEquals(
    c.run("EVAL", "local f = redis.pcall('incr', 'k') return {type(f), f['err']}", "0"),
    ["table", "ERR value is not an integer or out of range"],
  );
  assertEquals(
    c.run("EVAL", "local f = redis.pcall('get', 'nokey') return {type(f), f == false}", "0"),
    ["boolean", 1],
  );
  assertEquals(
    c.run("EVAL", "return redis.sha1hex('Pizza & Mandolino')", "0"),
    "74822d82031af7493c20eefa13bd07ec4fada82f",
  );
  assertEquals(
    c.run("EVAL", "return redis.sha1hex('')", "0"),
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
  );
});

Deno.test("script errors carry Redis 7's texts", () => {
  const c = new Harness().client();
  const at = (sha: string) => ` script: ${sha}, on @user_script:1.`;
  assertEquals(
    c.run("EVAL", "return a", "0"),
    err(
      "ERR user_script:1: Script attempted to access nonexistent global variable 'a'" +
        at("bbfcd1ececc90deec823f7fb730e4bfb2a4ba625"),
    ),
  );
  assertEquals(
    c.run("EVAL", "redis.call('nosuchcommand')", "0"),
    err(
      "ERR Unknown Redis command called from script" +
        at("85df46f06646b8d8c9a2dc843ca8611cf060463c"),
    ),
  );
  assertEquals(
    c.run("EVAL", "a = 10", "0"),
    err(
      "ERR user_script:1: Attempt to modify a readonly table" +
        at("d1c61e47e71a9af32fe0564b32c2bd85e845c304"),
    ),
  );
  assertEquals(
    c.run("EVAL", "return 'hello", "0"),
    err("ERR Error compiling script (new function): user_script:1: unfinished string near <eof>"),
  );
  assertEquals(
    c.run("EVAL", "error('boom')", "0"),
    err("ERR user_script:1: boom" + at("82903a0434f1503e152f89c03c9acd881a0e8150")),
  );
  assertEquals(
    c.run("EVAL", "return redis.call()", "0"),
    err(
      "ERR Please specify at least one argument for this redis lib call" +
        at("0a907e1429221a4d85516cab7fd219a82a9439d8"),
    ),
  );
  assertEquals(
    c.run("EVALSHA", "ffd632c7d33e571e9f24556ebed26c3479a87130", "0"),
    err("NOSCRIPT No matching script. Please use EVAL."),
  );
  assertEquals(c.run("EVAL", "return 1", "-1"), err("ERR Number of keys can't be negative"));
  assertEquals(
    c.run("EVAL", "return 1", "2", "a"),
    err("ERR Number of keys can't be greater than number of args"),
  );
  assertEquals(c.run("EVAL", "return 1", "x"), err("ERR value is not an integer or out of range"));
});

Deno.test("EVAL_RO refuses writes; blocking and transaction commands are refused", () => {
  const c = new Harness().client();
  c.run("SET", "foo", "bar");
  assertEquals(c.run("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "foo"), "bar");
  const ro = c.run("EVAL_RO", "return redis.pcall('del', KEYS[1])", "1", "foo");
  assertEquals(ro, err("ERR Write commands are not allowed from read-only scripts."));
  assertEquals(
    c.run("EVAL", "return redis.pcall('blpop', 'x', 0)", "0"),
    err("ERR This Redis command is not allowed from script"),
  );
  assertEquals(
    c.run("EVAL", "return redis.pcall('multi')", "0"),
    err("ERR This Redis command is not allowed from script"),
  );
  assertEquals(
    c.run("EVAL", "return redis.pcall('get', 'a', 'b')", "0"),
    err("ERR Wrong number of args calling Redis command from script"),
  );
});

Deno.test("SCRIPT LOAD, EXISTS, FLUSH and KILL", () => {
  const h = new Harness();
  const c = h.client();
  const sha = "b534286061d4b9e4026607613b95c06c06015ae8";
  assertEquals(c.run("SCRIPT", "LOAD", "return 'loaded'"), sha);
  assertEquals(c.run("EVALSHA", sha.toUpperCase(), "0"), "loaded");
  assertEquals(c.run("SCRIPT", "EXISTS", sha, "a27e7e8a43702b7046d4f6a7ccf5b60cef6b9bda"), [1, 0]);
  const info = String(c.run("INFO", "memory"));
  assertEquals(/number_of_cached_scripts:1\r\n/.test(info), true);
  assertEquals(c.run("SCRIPT", "FLUSH", "ASYNC"), "OK");
  assertEquals(c.run("SCRIPT", "EXISTS", sha), [0]);
  assertEquals(
    c.run("SCRIPT", "FLUSH", "LATER"),
    err("ERR SCRIPT FLUSH only support SYNC|ASYNC option"),
  );
  assertEquals(c.run("SCRIPT", "KILL"), err("NOTBUSY No scripts in execution right now."));
  assertEquals(c.run("EVAL", "return 1", "0"), 1);
});

Deno.test("cjson, bit, unpack and loadstring behave as in Redis", () => {
  const c = new Harness().client();
  const concat = 'return table.concat(cjson.decode("[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]"), " ")';
  assertEquals(c.run("EVAL", concat, "0"), "0 -5000 -1 0.0003 1023.2 0");
  assertEquals(
    c.run(
      "EVAL",
      'local d = cjson.decode(\'{"keya": "a", "keyb": [1, "b"]}\') return {d.keya, d.keyb[2]}',
      "0",
    ),
    ["a", "b"],
  );
  assertEquals(
    c.run("EVAL", "return cjson.encode({1, 'two', {a = true}})", "0"),
    '[1,"two",{"a":true}]',
  );
  assertEquals(
    c.run("EVAL", "return {bit.band(7, 3), bit.bor(1, 2, 4), bit.bxor(1, 3), bit.tohex(255)}", "0"),
    [
      3,
      7,
      2,
      "000000ff",
    ],
  );
  assertEquals(
    c.run(
      "EVAL",
      "return {bit.bnot(0), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-16, 2)}",
      "0",
    ),
    [
      -1,
      -2147483648,
      15,
      -4,
    ],
  );
  assertEquals(c.run("EVAL", "return redis.call('rpush', 'l', unpack({1, 2, 3}))", "0"), 3);
  assertEquals(c.run("EVAL", "return loadstring('return 7')()", "0"), 7);
});

Deno.test("RESP3: redis.setresp(3) maps, sets and doubles reach a RESP3 client", () => {
  const c = new Harness().client();
  c.run("HSET", "h", "f", "v");
  assertEquals(c.run("EVAL", "redis.setresp(3) return redis.call('hgetall', KEYS[1])", "1", "h"), [
    "f",
    "v",
  ]);
  assertEquals(c.run("EVAL", "return redis.call('hgetall', KEYS[1])", "1", "h"), ["f", "v"]);
  assertEquals(
    c.run(
      "EVAL",
      "redis.setresp(3) local m = redis.call('hgetall', KEYS[1]) return m.map.f",
      "1",
      "h",
    ),
    "v",
  );
});

Deno.test("a script's writes are logged as their commands, inside MULTI too; WATCH sees them", () => {
  const h = new Harness();
  const a = h.client();
  const b = h.client();
  a.run("SET", "k", "1");
  a.run("WATCH", "k");
  b.run("EVAL", "redis.call('incr', KEYS[1]) redis.call('get', KEYS[1])", "1", "k");
  a.run("MULTI");
  a.run("GET", "k");
  assertEquals(a.run("EXEC"), null);
  b.run("MULTI");
  b.run("EVAL", "return redis.call('incrby', KEYS[1], ARGV[1])", "1", "k", "5");
  b.run("GET", "k");
  assertEquals(b.run("EXEC"), [7, "7"]);
  const lines = logged(h);
  assertEquals(lines.includes("incr k"), true);
  assertEquals(lines.includes("incrby k 5"), true);
  assertEquals(lines.some((l) => l.startsWith("EVAL")), false);
});

Deno.test("commands a script calls count in commandstats and errorstats; PUBLISH is refused in EVAL_RO", () => {
  const c = new Harness().client();
  // The command table's counters are per process: start from zero.
  c.run("CONFIG", "RESETSTAT");
  c.run("EVAL", "redis.call('set', KEYS[1], 0) redis.pcall('incrbyfloat', KEYS[1], 'x')", "1", "k");
  const stats = String(c.run("INFO", "commandstats"));
  assertEquals(/cmdstat_set:calls=1,/.test(stats), true);
  assertEquals(/cmdstat_incrbyfloat:calls=1,.*failed_calls=1/.test(stats), true);
  assertEquals(/cmdstat_eval:calls=1,.*failed_calls=0/.test(stats), true);
  assertEquals(
    c.run("EVAL_RO", "return redis.pcall('publish', 'ch', 'm')", "0"),
    err("ERR Write commands are not allowed from read-only scripts."),
  );
  assertEquals(c.run("COMMAND", "GETKEYS", "EVAL", "return 1", "0"), []);
  assertEquals(c.run("COMMAND", "GETKEYS", "EVAL", "return 1", "1", "key"), ["key"]);
});

Deno.test("a #!lua flags=no-writes shebang makes a script read-only", () => {
  const c = new Harness().client();
  c.run("SET", "k", "v");
  assertEquals(c.run("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0"), "v");
  assertEquals(
    c.run("EVAL", "#!lua flags=no-writes\nreturn redis.pcall('set', 'k', 'w')", "0"),
    err("ERR Write commands are not allowed from read-only scripts."),
  );
  // The shebang line still counts: the error is on line 2.
  const sha = c.run("SCRIPT", "LOAD", "#!lua\nreturn error('x')");
  assertEquals(
    c.run("EVALSHA", String(sha), "0"),
    err(`ERR user_script:2: x script: ${sha}, on @user_script:2.`),
  );
  assertEquals(
    c.run("EVAL", "#!python\nreturn 1", "0"),
    err("ERR Unexpected engine in script shebang: python"),
  );
});

Deno.test("the script cache is bounded: EVAL'd scripts are evicted oldest first, bodies capped", () => {
  const c = new Harness().client();
  const loadedSha = c.run("SCRIPT", "LOAD", "return 'kept'");
  for (let i = 0; i <= evalScriptsMax; i++) c.run("EVAL", `return ${i}`, "0");
  const cached = /number_of_cached_scripts:(\d+)/.exec(String(c.run("INFO", "memory")));
  assertEquals(Number(cached?.[1]), evalScriptsMax + 1);
  assertEquals(c.run("EVALSHA", String(loadedSha), "0"), "kept");
  // "return 0", the first EVAL'd, was evicted.
  assertEquals(c.run("SCRIPT", "EXISTS", "06d3d9b2060dd51343d5f19f0e531f15c507e3d1"), [0]);
  const big = "return '" + "x".repeat(scriptBytesMax) + "'";
  assertEquals(
    c.run("EVAL", big, "0"),
    err(`ERR Script of ${big.length} bytes exceeds the limit of ${scriptBytesMax}`),
  );
});

Deno.test("a null reply is false in Lua under RESP2 and nil under redis.setresp(3)", () => {
  const c = new Harness().client();
  assertEquals(c.run("EVAL", "return {redis.call('get', 'nokey') == false}", "0"), [1]);
  assertEquals(
    c.run("EVAL", "redis.setresp(3) return {redis.call('get', 'nokey') == nil}", "0"),
    // Under setresp(3) a Lua boolean replies as a RESP3 boolean.
    [true],
  );
});
