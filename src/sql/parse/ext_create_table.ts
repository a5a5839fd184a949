/**
 * Extension rules for CREATE TABLE forms the grammar lacks: trailing
 * `WITH (storage options)` and `ON COMMIT ...` (stripped and recorded next to
 * the grammar's node), and CREATE TABLE ... AS query [WITH [NO] DATA].
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import type { ExtCreateTable, ExtCreateTableAs, ExtOption, Statement } from "./ext_ast.ts";
import type { Inner } from "./ext_query.ts";

type OnCommit = ExtCreateTable["onCommit"];

/**
 * CREATE [TEMP|UNLOGGED] TABLE with storage options, ON COMMIT or AS query;
 * null when the grammar can take the statement as it is.
 * @param c cursor at the statement start; `table` is the index of TABLE
 */
export function parseCreateTable(c: Cursor, table: number, inner: Inner): Statement | null {
  c.pos = table + 1;
  const ifNotExists = c.accept("if", "not", "exists");
  const name = c.qname();
  const columnsAt = c.pos;
  let columns: string[] | null = null;
  if (c.isPunct("(")) {
    const end = c.groupEnd(c.pos);
    if (c.isWord("as", end - c.pos) || c.isWord("with", end - c.pos) && isAs(c, end)) {
      columns = c.parenNames();
    } else c.pos = end;
  }
  const head = c.tokens.slice(0, columns === null ? c.pos : columnsAt);
  const { storageOptions, onCommit } = trailingClauses(c);
  if (c.accept("as")) {
    const words = c.tokens.slice(1, table).map((t) => t.value);
    return createTableAs(c, inner, {
      name,
      ifNotExists,
      temporary: words.includes("temp") || words.includes("temporary"),
      unlogged: words.includes("unlogged"),
      columns,
      storageOptions,
      onCommit,
    });
  }
  if (storageOptions.length === 0 && onCommit === null) return null;
  const parsed = inner.tokens(head.concat(c.tokens.slice(c.pos)));
  if ("kind" in parsed || parsed.type !== "create table") throw c.error(c.tokens[0]);
  return { kind: "ext.create_table", table: parsed, storageOptions, onCommit };
}

/** True when the `WITH (...)` at `at` is followed by AS (a CTAS with storage options). */
function isAs(c: Cursor, at: number): boolean {
  const open = at + 1;
  if (c.tokens[open]?.value !== "(") return false;
  return c.tokens[c.groupEnd(open)]?.value === "as";
}

/** Reads `WITH (name [= value], ...)` and `ON COMMIT ...` in any order. */
function trailingClauses(c: Cursor): { storageOptions: ExtOption[]; onCommit: OnCommit } {
  const storageOptions: ExtOption[] = [];
  let onCommit: OnCommit = null;
  for (;;) {
    if (c.isWord("with") && c.isPunct("(", 1)) {
      c.pos += 2;
      do {
        let name = c.name();
        while (c.acceptPunct(".")) name += "." + c.name();
        storageOptions.push({ name, value: c.acceptPunct("=") ? c.value() : null });
      } while (c.acceptPunct(","));
      c.expectPunct(")");
    } else if (c.accept("on", "commit")) {
      if (c.accept("drop")) onCommit = "drop";
      else if (c.accept("delete", "rows")) onCommit = "delete rows";
      else {
        c.expect("preserve", "rows");
        onCommit = "preserve rows";
      }
    } else return { storageOptions, onCommit };
  }
}

function createTableAs(
  c: Cursor,
  inner: Inner,
  base: Omit<ExtCreateTableAs, "kind" | "query" | "withData">,
): ExtCreateTableAs {
  let end = c.tokens.length;
  let withData = true;
  const last = c.tokens.length;
  if (
    c.tokens[last - 1]?.value === "data" && c.tokens[last - 2]?.value === "no" &&
    c.tokens[last - 3]?.value === "with"
  ) {
    end = last - 3;
    withData = false;
  } else if (c.tokens[last - 1]?.value === "data" && c.tokens[last - 2]?.value === "with") {
    end = last - 2;
  }
  const query = inner.tokens(c.tokens.slice(c.pos, end));
  const first = c.tokens[c.pos];
  return {
    kind: "ext.create_table_as",
    ...base,
    query,
    ...(first ? { queryStart: first.start } : {}),
    withData,
  };
}
