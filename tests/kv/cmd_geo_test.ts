import { assertEquals, err, Harness } from "./_harness.ts";

// Expected values are Redis 7.0's answers to the same commands.

function sicily() {
  const c = new Harness().client();
  c.run(
    "GEOADD",
    "Sicily",
    ...[13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania"],
    ...[12.758489, 38.788135, "edge1"],
  );
  return c;
}

Deno.test("GEOADD stores Redis's geohash scores; GEOPOS, GEODIST, GEOHASH read them", () => {
  const c = sicily();
  assertEquals(c.run("GEOADD", "Sicily", "CH", 13.361389, 38.115557, "Palermo"), 0);
  assertEquals(c.run("ZRANGE", "Sicily", 0, -1, "WITHSCORES"), [
    ...["Palermo", "3479099956230698", "edge1", "3479273021651468"],
    ...["Catania", "3479447370796909"],
  ]);
  assertEquals(c.run("GEOPOS", "Sicily", "Palermo", "nope"), [
    ["13.36138933897018433", "38.11555639549629859"],
    null,
  ]);
  assertEquals(c.run("GEODIST", "Sicily", "Palermo", "Catania", "km"), "166.2742");
  assertEquals(c.run("GEODIST", "Sicily", "Palermo", "Catania", "mi"), "103.3182");
  assertEquals(c.run("GEODIST", "Sicily", "Palermo", "nope"), null);
  assertEquals(c.run("GEOHASH", "Sicily", "Palermo", "Catania", "nope"), [
    "sqc8b49rny0",
    "sqdtr74hyu0",
    null,
  ]);
  assertEquals(
    c.run("GEOADD", "Sicily", 200, 10, "bad"),
    err("ERR invalid longitude,latitude pair 200.000000,10.000000"),
  );
  assertEquals(c.run("GEOADD", "Sicily", "NX", "XX", 1, 1, "m"), err("ERR syntax error"));
});

Deno.test("GEORADIUS and GEOSEARCH: Redis's order, options and errors", () => {
  const c = sicily();
  assertEquals(
    c.run("GEORADIUS", "Sicily", 15, 37, 200, "km", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC"),
    [
      ["Catania", "56.4413", 3479447370796909, ["15.08726745843887329", "37.50266842333162032"]],
      ["Palermo", "190.4424", 3479099956230698, ["13.36138933897018433", "38.11555639549629859"]],
    ],
  );
  assertEquals(c.run("GEORADIUS", "Sicily", 15, 37, 300, "km"), ["Palermo", "edge1", "Catania"]);
  assertEquals(
    c.run(
      "GEOSEARCH",
      "Sicily",
      "FROMMEMBER",
      "Palermo",
      "BYBOX",
      400,
      400,
      "km",
      "WITHDIST",
      "DESC",
    ),
    [["Catania", "166.2742"], ["edge1", "91.4007"], ["Palermo", "0.0000"]],
  );
  assertEquals(
    c.run("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 100, "km", "COUNT", 1, "ANY"),
    ["Catania"],
  );
  assertEquals(
    c.run("GEORADIUS", "Sicily", 15, 37, -1, "km"),
    err("ERR radius cannot be negative"),
  );
  assertEquals(
    c.run("GEORADIUS", "Sicily", 15, 37, 1, "parsec"),
    err("ERR unsupported unit provided. please use M, KM, FT, MI"),
  );
  assertEquals(
    c.run("GEORADIUSBYMEMBER", "Sicily", "nope", 10, "km"),
    err("ERR could not decode requested zset member"),
  );
  assertEquals(
    c.run("GEORADIUS", "Sicily", 15, 37, 10, "km", "ANY"),
    err("ERR the ANY argument requires COUNT argument"),
  );
  assertEquals(
    c.run("GEOSEARCH", "Sicily", "BYBOX", 1, 1, "km", "ASC"),
    err("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH"),
  );
  assertEquals(c.run("GEORADIUS", "nokey", 15, 37, 10, "km"), []);
});

Deno.test("GEOSEARCHSTORE and GEORADIUS STORE/STOREDIST write sorted sets", () => {
  const c = sicily();
  assertEquals(
    c.run(
      "GEOSEARCHSTORE",
      "dst",
      "Sicily",
      "FROMLONLAT",
      15,
      37,
      "BYRADIUS",
      300,
      "km",
      "STOREDIST",
    ),
    3,
  );
  const stored = c.run("ZRANGE", "dst", 0, -1, "WITHSCORES") as string[];
  assertEquals(stored.map((v, i) => i % 2 === 0 ? v : Number(v)), [
    ...["Catania", 56.441257870158204, "Palermo", 190.44242984775784],
    ...["edge1", 279.74045213563431],
  ]);
  assertEquals(c.run("GEORADIUS", "Sicily", 15, 37, 1, "m", "STORE", "dst"), 0);
  assertEquals(c.run("EXISTS", "dst"), 0);
  assertEquals(
    c.run("GEORADIUS", "Sicily", 15, 37, 1, "km", "STORE", "dst", "WITHDIST"),
    err(
      "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
    ),
  );
  assertEquals(
    c.run("GEORADIUS_RO", "Sicily", 15, 37, 1, "km", "STORE", "dst"),
    err("ERR syntax error"),
  );
});
