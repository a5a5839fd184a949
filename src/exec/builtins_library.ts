/**
 * Bridges the executor's evaluator to the function library in
 * `exec/functions/` (overloads with PostgreSQL's argument and result types)
 * and to the binary operator kernels of `exec/expr/operators.ts`. The
 * binder names such calls `fn:<name>` and `op:<operator>`; the overload or
 * kernel is resolved once, when the call is compiled, from the argument
 * types the binder already coerced the arguments to.
 * @module
 */
import type { SqlType, Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { EvalContext } from "./functions/eval_context.ts";
import { resolveFunction } from "./functions/mod.ts";
import { resolveBinary } from "./expr/operators.ts";
import { specialOperator } from "./builtins_json_ops.ts";

/** Prefix of a bound call to a library function. */
export const libraryPrefix = "fn:";
/** Prefix of a bound call to a library binary operator. */
export const operatorPrefix = "op:";

/** A call compiled against the library: evaluated arguments in, value out. */
export type LibraryCall = (args: Value[], ctx: ExecContext) => Value;

/** Builds (and caches per execution context) the library's view of the session. */
function evalContextOf(): (ctx: ExecContext) => EvalContext {
  let last: ExecContext | null = null;
  let made: EvalContext | null = null;
  return (ctx) => {
    if (last !== ctx || made === null) {
      last = ctx;
      made = {
        params: ctx.params,
        outerRows: ctx.outer,
        session: { timeZone: ctx.setting("timezone") ?? "UTC", now: ctx.nowMicros },
      };
    }
    return made;
  };
}

/**
 * Resolves a `fn:` or `op:` call for the given (already coerced) argument types.
 * @returns null when `fn` names neither
 * @throws {DbError} 42883 when no overload or operator fits
 */
export function compileLibraryCall(fn: string, argTypes: readonly SqlType[]): LibraryCall | null {
  const session = evalContextOf();
  if (fn.startsWith(libraryPrefix)) {
    const r = resolveFunction(fn.slice(libraryPrefix.length), argTypes);
    const impl = r.overload.impl;
    const types = r.argTypes;
    const strict = r.overload.strict !== false;
    return (args, ctx) => {
      if (strict) { for (const a of args) if (a === null) return null; }
      return impl(args, session(ctx), types);
    };
  }
  if (fn.startsWith(operatorPrefix)) {
    const op = fn.slice(operatorPrefix.length);
    const special = specialOperator(op, argTypes[0]!, argTypes[1]!);
    if (special) {
      const k = special.kernel;
      return (args) => {
        const a = args[0] ?? null;
        const b = args[1] ?? null;
        return a === null || b === null ? null : k(a, b);
      };
    }
    const p = resolveBinary(op, argTypes[0]!, argTypes[1]!);
    const kernel = p.kernel;
    const strict = p.nonStrict !== true;
    return (args, ctx) => {
      const a = args[0] ?? null;
      const b = args[1] ?? null;
      if (strict && (a === null || b === null)) return null;
      return kernel(a, b, session(ctx));
    };
  }
  return null;
}

/** The resolved overload's argument and result types, for the binder. */
export function libraryCallTypes(
  name: string,
  argTypes: readonly SqlType[],
): { readonly args: readonly SqlType[]; readonly ret: SqlType } {
  const r = resolveFunction(name, argTypes);
  return { args: r.argTypes, ret: r.ret };
}

/** The operator's operand and result types, for the binder. */
export function operatorTypes(
  op: string,
  left: SqlType,
  right: SqlType,
): { readonly left: SqlType; readonly right: SqlType; readonly ret: SqlType } {
  const p = specialOperator(op, left, right) ?? resolveBinary(op, left, right);
  return { left: p.left, right: p.right, ret: p.ret };
}
