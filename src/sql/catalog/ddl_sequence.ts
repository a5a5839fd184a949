/**
 * ALTER SEQUENCE and the sequences a table owns (serial and identity
 * columns, OWNED BY), against a `CatalogEditor` (see `ddl.ts`).
 * @module
 */
import type { AlterSequenceStatement } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import type { Catalog, CatalogEditor, RelationDef, SequenceDef } from "./catalog.ts";
import { type DdlEffects, exists } from "./ddl.ts";

const minInt8 = -(2n ** 63n);
const maxInt8 = 2n ** 63n - 1n;

/**
 * The sequences owned by a table (or one of its columns). Catalogs written
 * before ownership was recorded fall back to the serial naming rule: a
 * `nextval('<table>_...')` default.
 */
export function ownedSequences(cat: Catalog, rel: RelationDef, column?: number): SequenceDef[] {
  const out = new Set<SequenceDef>();
  for (const seq of cat.sequences.values()) {
    const o = seq.ownedBy;
    if (o && o.table === rel.oid && (column === undefined || o.column === column)) out.add(seq);
  }
  rel.columns.forEach((col, i) => {
    if (column !== undefined && i !== column) return;
    const m = /^nextval\('([^']+)'\)$/.exec(col.defaultSql ?? "");
    const seq = m ? cat.findSequence(m[1]!, rel.schema) : undefined;
    if (seq && seq.ownedBy === undefined && seq.name.startsWith(`${rel.name}_`)) out.add(seq);
  });
  return [...out];
}

function big(v: number | undefined): bigint | undefined {
  return v === undefined ? undefined : BigInt(v);
}

/**
 * Applies ALTER SEQUENCE: options, RESTART (reported in `fx.restartSequences`),
 * OWNED BY, RENAME TO, SET SCHEMA, OWNER TO (accepted, no roles).
 * @throws {DbError} 42P01, 42P07, 22023 for inconsistent bounds, 42703
 */
export function alterSequence(
  ed: CatalogEditor,
  stmt: AlterSequenceStatement,
  fx: DdlEffects,
): void {
  const cat = ed.done();
  const seq = cat.findSequence(stmt.name.name, stmt.name.schema ?? "public");
  if (!seq) {
    if (stmt.ifExists) {
      fx.notices.push(`relation "${stmt.name.name}" does not exist, skipping`);
      return;
    }
    throw new DbError("42P01", `relation "${stmt.name.name}" does not exist`);
  }
  const ch = stmt.change;
  switch (ch.type) {
    case "owner to":
      return;
    case "rename":
      if (cat.nameTaken(ch.newName.name, seq.schema)) throw exists("relation", ch.newName.name);
      ed.sequences.set(seq.oid, { ...seq, name: ch.newName.name });
      return;
    case "set schema":
      if (!ed.schemas.has(ch.newSchema.name)) {
        throw new DbError("3F000", `schema "${ch.newSchema.name}" does not exist`);
      }
      if (cat.nameTaken(seq.name, ch.newSchema.name)) throw exists("relation", seq.name);
      ed.sequences.set(seq.oid, { ...seq, schema: ch.newSchema.name });
      return;
    case "set options":
      return setOptions(ed, seq, ch, fx);
  }
}

function setOptions(
  ed: CatalogEditor,
  seq: SequenceDef,
  o: Extract<AlterSequenceStatement["change"], { type: "set options" }>,
  fx: DdlEffects,
): void {
  const increment = big(o.incrementBy) ?? seq.increment;
  if (increment === 0n) throw new DbError("22023", "INCREMENT must not be zero");
  const min = o.minValue === "no minvalue"
    ? (increment > 0n ? 1n : minInt8)
    : big(o.minValue) ?? seq.min;
  const max = o.maxValue === "no maxvalue"
    ? (increment > 0n ? maxInt8 : -1n)
    : big(o.maxValue) ?? seq.max;
  if (min >= max) {
    throw new DbError("22023", `MINVALUE (${min}) must be less than MAXVALUE (${max})`);
  }
  const start = big(o.startWith) ?? seq.start;
  checkBound("START", start, min, max);
  let ownedBy = seq.ownedBy ?? null;
  if (o.ownedBy === "none") ownedBy = null;
  else if (o.ownedBy) {
    const owner = o.ownedBy;
    const rel = ed.done().relation(owner.table, owner.schema);
    const col = rel.columns.findIndex((c) => c.name === owner.column && !c.dropped);
    if (col < 0) {
      throw new DbError(
        "42703",
        `column "${owner.column}" of relation "${rel.name}" does not exist`,
      );
    }
    if (rel.schema !== seq.schema) {
      throw new DbError("55000", "sequence must be in same schema as table it is linked to");
    }
    ownedBy = { table: rel.oid, column: col };
  }
  const cycle = o.cycle === undefined ? seq.cycle : o.cycle === "cycle";
  ed.sequences.set(seq.oid, { ...seq, increment, min, max, start, cycle, ownedBy });
  if (o.restart !== undefined) {
    const value = o.restart === true ? start : BigInt(o.restart);
    checkBound("RESTART", value, min, max);
    fx.restartSequences.push({ oid: seq.oid, value });
  }
}

function checkBound(what: string, v: bigint, min: bigint, max: bigint): void {
  if (v < min) {
    throw new DbError("22023", `${what} value (${v}) cannot be less than MINVALUE (${min})`);
  }
  if (v > max) {
    throw new DbError("22023", `${what} value (${v}) cannot be greater than MAXVALUE (${max})`);
  }
}
