/**
 * Keeps the tree in the shape ARCHITECTURE.md draws: imports point down the
 * layers, no import cycles between folders, file I/O only through `storage/os`.
 */
import assert from "node:assert/strict";

const layerRank: Readonly<Record<string, number>> = {
  common: 0,
  storage: 1,
  txn: 2,
  exec: 3,
  vector: 3,
  sql: 4,
  cluster: 4,
  cdc: 4,
  fdw: 4,
  kv: 4,
  engine: 5,
  security: 5,
  protocol: 6,
  api: 6,
};

/** Sibling imports the map allows explicitly: the engine asks security what a user may do. */
const allowedSideways = new Set(["engine->security"]);

/** Edges that may do file I/O with Deno's file APIs. */
const ioEdges = ["src/storage/os/", "src/protocol/", "src/api/", "src/cluster/transport"];
const fileApis =
  /\bDeno\.(open|openSync|readFile|readFileSync|readTextFile|readTextFileSync|writeFile|writeFileSync|writeTextFile|writeTextFileSync|mkdir|mkdirSync|remove|removeSync|rename|renameSync|readDir|readDirSync|create|createSync|truncate|truncateSync)\b/;

function* walk(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

function layerOf(path: string): string | undefined {
  const match = path.match(/^src\/([^/]+)\//);
  return match?.[1];
}

function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const parts = from.split("/").slice(0, -1);
  for (const part of spec.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

function importsOf(path: string, runtimeOnly = false): string[] {
  const text = Deno.readTextFileSync(path);
  const specs: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s([^;]*?)from\s+"([^"]+)"/g)) {
    if (runtimeOnly && /^type\s/.test(match[1]!)) continue;
    specs.push(match[2]!);
  }
  for (const match of text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)) specs.push(match[1]!);
  return specs.map((s) => resolve(path, s)).filter((s): s is string => s !== undefined);
}

const files = [...walk("src")];

Deno.test("tidy: every src/ folder is a layer of the map", () => {
  for (const file of files) {
    const layer = layerOf(file);
    assert.ok(
      layer !== undefined && layer in layerRank,
      `${file} is outside the layers of ARCHITECTURE.md`,
    );
  }
});

Deno.test("tidy: imports point down the layers", () => {
  const violations: string[] = [];
  for (const file of files) {
    const from = layerOf(file)!;
    for (const target of importsOf(file)) {
      const to = layerOf(target);
      if (to === undefined) {
        violations.push(`${file} imports ${target} outside src/`);
        continue;
      }
      if (to === from || allowedSideways.has(`${from}->${to}`)) continue;
      if (layerRank[to]! >= layerRank[from]!) {
        violations.push(`${file} (${from}) imports ${target} (${to})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

/**
 * Folder of a file: the unit of the cycle check (files of one folder may
 * import each other; type-only imports do not count, they vanish at run time).
 */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

Deno.test("tidy: no import cycles between folders", () => {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    for (const target of importsOf(file, true)) {
      const to = folderOf(target);
      if (to !== from) edges.add(to);
    }
    graph.set(from, edges);
  }
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (node: string): void => {
    const seen = state.get(node);
    if (seen === "done") return;
    if (seen === "open") {
      cycles.push([...stack.slice(stack.indexOf(node)), node].join(" -> "));
      return;
    }
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) if (graph.has(next)) visit(next);
    stack.pop();
    state.set(node, "done");
  };
  for (const folder of graph.keys()) visit(folder);
  assert.deepEqual(cycles, []);
});

Deno.test("tidy: file I/O goes through storage/os", () => {
  const offenders = files.filter((file) =>
    !ioEdges.some((edge) => file.startsWith(edge)) && fileApis.test(Deno.readTextFileSync(file))
  );
  assert.deepEqual(offenders, []);
});
