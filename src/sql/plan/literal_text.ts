/**
 * The source spelling of numeric literals in stored queries (views, rules).
 * The grammar gives a literal's value as a JavaScript number, which loses
 * what PostgreSQL keeps: `1.50` is numeric with scale 2. A statement's own
 * literals are read back from its text at their offsets; a stored query's
 * nodes are planned inside another statement, so their spelling is recorded
 * here when the stored text is parsed.
 * @module
 */

const spelled = new WeakMap<object, string>();

/** A numeric literal at the start of a string: digits, point, exponent. */
export const numberAt = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i;

/**
 * The literal as written in `text` at `start`, when it denotes `value`
 * (an offset into some other text would not).
 */
export function literalAt(text: string, start: number, value: number): string | undefined {
  const raw = numberAt.exec(text.slice(start, start + 1100))?.[0];
  return raw !== undefined && Number(raw) === value ? raw : undefined;
}

/** Records the spelling of every numeric literal of `ast`, parsed from `text`. */
export function recordLiteralTexts(ast: unknown, text: string): void {
  const visit = (n: unknown): void => {
    if (typeof n !== "object" || n === null) return;
    if (Array.isArray(n)) return n.forEach(visit);
    const node = n as {
      type?: unknown;
      value?: unknown;
      _location?: { start?: unknown };
    };
    const start = node._location?.start;
    if (
      (node.type === "integer" || node.type === "numeric") && typeof node.value === "number" &&
      typeof start === "number"
    ) {
      const raw = literalAt(text, start, node.value);
      if (raw !== undefined) spelled.set(node, raw);
      return;
    }
    for (const [k, v] of Object.entries(node)) if (k !== "_location") visit(v);
  };
  visit(ast);
}

/** The recorded spelling of a numeric literal node, if any. */
export function recordedLiteral(node: object): string | undefined {
  return spelled.get(node);
}
