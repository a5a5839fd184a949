/**
 * Enum types in `pg_catalog`: their `pg_type` rows (the enum and its array
 * type) and `pg_enum`, one row per label.
 * @module
 */
import type { Value } from "../../common/types.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { ownerOid, virtual, type VirtualRelation } from "./virtual.ts";

/** `pg_type` rows of the catalog's enum types, in pg_type's column order. */
export function enumTypeRows(catalog: Catalog): Value[][] {
  const rows: Value[][] = [];
  for (const e of catalog.enums.values()) {
    const ns = catalog.schemas.get(e.schema) ?? 2200;
    const tail = [false, 0, -1, 0, 0, null, null];
    rows.push([e.oid, e.name, ns, ownerOid, 4, true, "e", "E", false, true, ",", 0, 0, e.arrayOid]);
    rows.at(-1)!.push(...tail);
    rows.push([
      e.arrayOid,
      `_${e.name}`,
      ns,
      ownerOid,
      -1,
      false,
      "b",
      "A",
      false,
      true,
      ",",
      0,
      e.oid,
      0,
      ...tail,
    ]);
  }
  return rows;
}

/** pg_type rows of tables' row types (typtype 'c', typrelid the table). */
export function compositeTypeRows(catalog: Catalog): Value[][] {
  const rows: Value[][] = [];
  for (const rel of catalog.relations.values()) {
    if (rel.rowTypeOid === undefined) continue;
    const ns = catalog.schemas.get(rel.schema) ?? 2200;
    rows.push([
      rel.rowTypeOid,
      rel.name,
      ns,
      ownerOid,
      -1,
      false,
      "c",
      "C",
      false,
      true,
      ",",
      rel.oid,
      0,
      0,
      false,
      0,
      -1,
      0,
      0,
      null,
      null,
    ]);
  }
  return rows;
}

/**
 * pg_enum: one row per label. Sort orders are the labels' positions (1, 2,
 * ...), which order like PostgreSQL's; label rows have no OIDs of their own
 * (0).
 */
export const pgEnum: VirtualRelation = virtual(
  "pg_catalog",
  "pg_enum",
  "oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name",
  (catalog) =>
    [...catalog.enums.values()].flatMap((e) =>
      e.labels.map((l, i): Value[] => [0, e.oid, i + 1, l])
    ),
);
