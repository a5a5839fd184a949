import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { parseSql } from "../../../src/sql/parse/parse_sql.ts";
import { statementKind } from "../../../src/sql/parse/ext_ast.ts";
import { DbError, LimitError } from "../../../src/common/errors.ts";
import { exprDepthMax, statementBytesMax } from "../../../src/common/limits.ts";

function syntaxError(sql: string, message: string, position: number): void {
  throws(() => parseSql(sql), (e: unknown) => {
    if (!(e instanceof DbError)) return false;
    assertEquals([e.sqlstate, e.message, e.position], ["42601", message, position]);
    return true;
  });
}

Deno.test("parseSql() returns each statement with its source span", () => {
  const sql = "SELECT 1;\n  SAVEPOINT a ; -- done\nCOMMIT";
  const parsed = parseSql(sql);
  assertEquals(parsed.map((p) => [statementKind(p.ast), p.text, p.start]), [
    ["select", "SELECT 1", 0],
    ["ext.savepoint", "SAVEPOINT a", 12],
    ["ext.commit", "COMMIT", 34],
  ]);
  assertEquals(parseSql("  ;; -- nothing"), []);
});

Deno.test("parseSql() reports grammar errors at the offending token of the original text", () => {
  syntaxError("SELECT * FROM t WHERE a = 1 GROUP 5", 'syntax error at or near "5"', 35);
  syntaxError("SELECT 1; SELECT (1", "syntax error at end of input", 20);
  syntaxError("SELECT a <-> FROM t", 'syntax error at or near "FROM"', 14);
  syntaxError("SELEC 1", 'syntax error at or near "SELEC"', 1);
  syntaxError("SELECT 'x' 'y'", "syntax error at or near \"'y'\"", 12);
});

Deno.test("parseSql() reports lexer errors with their position", () => {
  syntaxError("SELECT 1; SELECT 'open", "unterminated quoted string", 18);
});

Deno.test("parseSql() rejects brackets nested beyond exprDepthMax", () => {
  const deep = "SELECT " + "(".repeat(exprDepthMax + 1) + "1" + ")".repeat(exprDepthMax + 1);
  throws(() => parseSql(deep), (e: unknown) => e instanceof LimitError && e.sqlstate === "54001");
});

Deno.test("parseSql() rejects text beyond statementBytesMax", () => {
  throws(
    () => parseSql("x".repeat(statementBytesMax + 1)),
    (e: unknown) => e instanceof LimitError && e.sqlstate === "54000",
  );
});
