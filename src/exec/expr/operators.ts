/**
 * Binary operator resolution: given the operand types, picks the types the
 * operands are coerced to, the result type and the kernel, like
 * PostgreSQL's operator lookup over pg_operator.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import {
  arrayOf,
  Interval,
  Jsonb,
  type SqlType,
  type,
  type TypeId,
  type Value,
} from "../../common/types.ts";
import { regtypeName } from "../../common/value_text.ts";
import { addIntervals, scaleInterval, subIntervals } from "../../common/interval.ts";
import { microsPerDay } from "../../common/datetime.ts";
import { findCast, isNumericType, isStringType } from "../functions/cast.ts";
import { numericToNumber } from "../../common/numeric.ts";
import { Numeric } from "../../common/types.ts";
import {
  type ArithOp,
  dateDiff,
  numberKernel,
  timestampDiff,
  timestampPlusInterval,
  timestamptzPlusInterval,
} from "../functions/arith.ts";
import { baseType, pairType, unifyNumeric } from "../functions/type_rules.ts";
import { jsonbConcat, jsonbDelete, jsonbDeletePath } from "../functions/json_ops.ts";
import { vectorOperator } from "../functions/vector_fns.ts";
import type { EvalContext } from "./context.ts";

/** A resolved binary operator. */
export interface BinaryPlan {
  readonly left: SqlType;
  readonly right: SqlType;
  readonly ret: SqlType;
  /** Kernel on non-null operands, or on any operands when `nonStrict`. */
  readonly kernel: (a: Value, b: Value, ctx: EvalContext) => Value;
  /** True when the kernel handles NULL operands itself (array concatenation). */
  readonly nonStrict?: boolean;
}

/** Throws PostgreSQL's "operator does not exist". */
export function noOperator(op: string, l: SqlType | null, r: SqlType): DbError {
  const left = l === null ? "" : `${regtypeName(l)} `;
  const e = new DbError("42883", `operator does not exist: ${left}${op} ${regtypeName(r)}`);
  e.hint = "No operator matches the given name and argument types. " +
    "You might need to add explicit type casts.";
  return e;
}

const t = (id: TypeId): SqlType => type(id);

function plan(
  left: SqlType,
  right: SqlType,
  ret: SqlType,
  kernel: BinaryPlan["kernel"],
): BinaryPlan {
  return { left, right, ret, kernel };
}

function numericPlan(op: ArithOp, l: TypeId, r: TypeId): BinaryPlan | undefined {
  let u = unifyNumeric(l, r);
  // PostgreSQL has no integer "^": integers and floats go through float8, numeric stays numeric.
  if (op === "^" && u !== "numeric") u = "float8";
  if (op === "%" && (u === "float4" || u === "float8")) return undefined;
  const k = numberKernel(op, u);
  return k && plan(t(u), t(u), t(u), k);
}

function dateTimePlan(op: string, l: TypeId, r: TypeId): BinaryPlan | undefined {
  const key = `${l} ${op} ${r}`;
  switch (key) {
    case "date + int4":
      return plan(t("date"), t("int4"), t("date"), (a, b) => (a as number) + (b as number));
    case "int4 + date":
      return plan(t("int4"), t("date"), t("date"), (a, b) => (a as number) + (b as number));
    case "date - int4":
      return plan(t("date"), t("int4"), t("date"), (a, b) => (a as number) - (b as number));
    case "date - date":
      return plan(t("date"), t("date"), t("int4"), (a, b) => dateDiff(a as number, b as number));
    case "date + interval":
    case "timestamp + interval":
    case "date - interval":
    case "timestamp - interval": {
      const sign = op === "-" ? -1 : 1;
      return plan(
        t("timestamp"),
        t("interval"),
        t("timestamp"),
        (a, b) =>
          timestampPlusInterval(a as bigint, sign < 0 ? negate(b as Interval) : b as Interval),
      );
    }
    case "interval + date":
    case "interval + timestamp":
      return plan(
        t("interval"),
        t("timestamp"),
        t("timestamp"),
        (a, b) => timestampPlusInterval(b as bigint, a as Interval),
      );
    case "timestamptz + interval":
    case "timestamptz - interval": {
      const neg = op === "-";
      return plan(
        t("timestamptz"),
        t("interval"),
        t("timestamptz"),
        (a, b, ctx) =>
          timestamptzPlusInterval(
            a as bigint,
            neg ? negate(b as Interval) : b as Interval,
            ctx.session.timeZone,
          ),
      );
    }
    case "interval + timestamptz":
      return plan(
        t("interval"),
        t("timestamptz"),
        t("timestamptz"),
        (a, b, ctx) => timestamptzPlusInterval(b as bigint, a as Interval, ctx.session.timeZone),
      );
    case "timestamp - timestamp":
    case "timestamptz - timestamptz":
      return plan(t(l), t(l), t("interval"), (a, b) => timestampDiff(a as bigint, b as bigint));
    case "interval + interval":
      return plan(t(l), t(l), t(l), (a, b) => addIntervals(a as Interval, b as Interval));
    case "interval - interval":
      return plan(t(l), t(l), t(l), (a, b) => subIntervals(a as Interval, b as Interval));
    case "date + time":
      return plan(
        t("date"),
        t("time"),
        t("timestamp"),
        (a, b) => BigInt(a as number) * microsPerDay + (b as bigint),
      );
    case "time + interval":
    case "time - interval": {
      const sign = op === "-" ? -1n : 1n;
      return plan(t("time"), t("interval"), t("time"), (a, b) => {
        const r = ((a as bigint) + sign * (b as Interval).micros) % microsPerDay;
        return r < 0n ? r + microsPerDay : r;
      });
    }
    case "time - time":
      return plan(
        t("time"),
        t("time"),
        t("interval"),
        (a, b) => new Interval(0, 0, (a as bigint) - (b as bigint)),
      );
  }
  return undefined;
}

function negate(iv: Interval): Interval {
  return new Interval(-iv.months, -iv.days, -iv.micros);
}

function intervalScalePlan(op: string, l: SqlType, r: SqlType): BinaryPlan | undefined {
  const num = (v: Value): number => v instanceof Numeric ? numericToNumber(v) : Number(v);
  if (l.id === "interval" && isNumericType(r.id) && (op === "*" || op === "/")) {
    return plan(l, t("float8"), l, (a, b) => {
      if (op === "/" && num(b) === 0) throw new DbError("22012", "division by zero");
      return scaleInterval(a as Interval, op === "*" ? num(b) : 1 / num(b));
    });
  }
  if (r.id === "interval" && isNumericType(l.id) && op === "*") {
    return plan(t("float8"), r, r, (a, b) => scaleInterval(b as Interval, num(a)));
  }
  return undefined;
}

function concatPlan(l0: SqlType, r0: SqlType): BinaryPlan | undefined {
  // An unknown literal next to jsonb or an array takes that type.
  const typed = (x: SqlType, other: SqlType): SqlType =>
    x.id === "unknown" && ["jsonb", "array", "bytea"].includes(other.id) ? baseType(other) : x;
  const l = typed(l0, r0);
  const r = typed(r0, l0);
  if (l.id === "bytea" && r.id === "bytea") {
    return plan(l, r, l, (a, b) => {
      const x = a as Uint8Array, y = b as Uint8Array;
      const out = new Uint8Array(x.length + y.length);
      out.set(x);
      out.set(y, x.length);
      return out;
    });
  }
  if (l.id === "jsonb" && r.id === "jsonb") {
    return plan(l, r, l, (a, b) => jsonbConcat(a as Jsonb, b as Jsonb));
  }
  if (l.id === "array" || r.id === "array") {
    const arr = l.id === "array" ? l : r;
    const elem = arr.elem ?? t("text");
    // Array concatenation is not strict: a NULL array acts as empty, a NULL element is kept.
    const items = (v: Value): Value[] => (v === null ? [] : v as Value[]);
    if (l.id === "array" && r.id === "array") {
      return {
        ...plan(
          arr,
          arr,
          arr,
          (a, b) => (a === null && b === null ? null : [...items(a), ...items(b)]),
        ),
        nonStrict: true,
      };
    }
    if (l.id === "array") {
      return { ...plan(arr, elem, arr, (a, b) => [...items(a), b]), nonStrict: true };
    }
    return { ...plan(elem, arr, arr, (a, b) => [a, ...items(b)]), nonStrict: true };
  }
  // anynonarray || text: the non-text side is cast to text (so booleans read "true").
  const lt = l.id === "unknown" || isStringType(l.id) ? t("text") : baseType(l);
  const rt = r.id === "unknown" || isStringType(r.id) ? t("text") : baseType(r);
  if (lt.id !== "text" && rt.id !== "text") return undefined;
  const ls = lt.id === "text";
  const rs = rt.id === "text";
  if (ls && rs) return plan(lt, rt, t("text"), (a, b) => (a as string) + (b as string));
  const lf = ls ? undefined : findCast(lt, t("text"), "explicit");
  const rf = rs ? undefined : findCast(rt, t("text"), "explicit");
  return plan(lt, rt, t("text"), (a, b, ctx) => {
    const tz = ctx.session.timeZone;
    return (lf ? lf(a, tz) as string : a as string) + (rf ? rf(b, tz) as string : b as string);
  });
}

function bitPlan(op: string, l: TypeId, r: TypeId): BinaryPlan | undefined {
  if (!["int2", "int4", "int8"].includes(l) || !["int2", "int4", "int8"].includes(r)) {
    return undefined;
  }
  if (op === "<<" || op === ">>") {
    const shift = (a: Value, b: Value): Value => {
      if (l === "int8") {
        const n = BigInt.asIntN(
          64,
          op === "<<" ? (a as bigint) << BigInt(b as number) : (a as bigint) >> BigInt(b as number),
        );
        return n;
      }
      return op === "<<" ? (a as number) << (b as number) : (a as number) >> (b as number);
    };
    return plan(t(l), t("int4"), t(l), shift);
  }
  const u = unifyNumeric(l, r);
  const big = u === "int8";
  const f = (a: Value, b: Value): Value => {
    if (big) {
      const x = a as bigint;
      const y = b as bigint;
      return op === "&" ? x & y : op === "|" ? x | y : x ^ y;
    }
    const x = a as number;
    const y = b as number;
    return op === "&" ? x & y : op === "|" ? x | y : x ^ y;
  };
  return plan(t(u), t(u), t(u), f);
}

/**
 * Resolves an arithmetic-like binary operator (not comparisons or logic).
 * @throws {DbError} 42883 operator does not exist
 */
export function resolveBinary(op: string, l: SqlType, r: SqlType): BinaryPlan {
  const lu = l.id === "unknown";
  const ru = r.id === "unknown";
  // An unknown literal takes the other side's type (or text when both are unknown).
  const lt = lu && !ru ? (op === "||" ? l : baseType(r)) : l;
  const rt = ru && !lu ? (op === "||" ? r : baseType(l)) : r;
  let p: BinaryPlan | undefined;
  if (op === "||") p = concatPlan(lt, rt);
  else if (op === "<->" || op === "<=>" || op === "<#>" || op === "<+>") {
    p = vectorOperator(op, lt, rt);
  } else if (lu && ru) p = undefined;
  else if (
    ["+", "-", "*", "/", "%", "^"].includes(op) && isNumericType(lt.id) && isNumericType(rt.id)
  ) {
    p = numericPlan(op as ArithOp, lt.id, rt.id);
  } else if (["&", "|", "#", "<<", ">>"].includes(op)) {
    p = bitPlan(op, lt.id, rt.id);
  } else if (op === "-" && lt.id === "jsonb") {
    p = rt.id === "int4" || rt.id === "text" || rt.id === "array"
      ? plan(
        lt,
        rt.id === "array" ? arrayOf(t("text")) : rt,
        lt,
        (a, b) => jsonbDelete(a as Jsonb, b),
      )
      : plan(lt, t("text"), lt, (a, b) => jsonbDelete(a as Jsonb, b));
  } else if (op === "#-" && lt.id === "jsonb") {
    p = plan(lt, arrayOf(t("text")), lt, (a, b) => jsonbDeletePath(a as Jsonb, b as Value[]));
  } else {
    p = intervalScalePlan(op, lt, rt) ?? dateTimePlan(op, baseType(lt).id, baseType(rt).id);
    const dt = ["date", "timestamp", "timestamptz"];
    if (!p && op === "-" && dt.includes(lt.id) && dt.includes(rt.id)) {
      const common = pairType(lt, rt);
      if (common) p = dateTimePlan(op, common.id, common.id);
    }
    if (!p && (lt.id === "date" || rt.id === "date") && (op === "+" || op === "-")) {
      const other = lt.id === "date" ? rt.id : lt.id;
      if (other === "int2" || other === "int8") {
        p = dateTimePlan(
          op,
          lt.id === "date" ? "date" : "int4",
          rt.id === "date" ? "date" : "int4",
        );
      }
    }
  }
  if (!p) throw noOperator(op, l, r);
  return p;
}
