/**
 * A small scripted engine behind the `Session` seam for protocol tests: one
 * in-memory table `items(id int4, name text)` and a handful of statements
 * recognised by regular expressions. It is our own seam, not a user
 * component, so the protocol can be tested before the SQL engine exists.
 */
import { DbError } from "../../../src/common/errors.ts";
import {
  arrayOf,
  Jsonb,
  Numeric,
  type SqlType,
  type,
  type Value,
} from "../../../src/common/types.ts";
import type {
  Cursor,
  Field,
  Notification,
  Prepared,
  Session,
  StatementResult,
  TxStatus,
} from "../../../src/engine/session_api.ts";
import type { PgEngine, SessionParams } from "../../../src/protocol/pg/mod.ts";

const int4 = type("int4");
const text = type("text");

function field(name: string, t: SqlType): Field {
  return { name, type: t, tableOid: 0, columnNumber: 0 };
}

function result(
  command: string,
  tag: string,
  fields: Field[] | null,
  rows: Value[][],
): StatementResult {
  return { command, tag, rowCount: rows.length, fields, rows };
}

/** The typed row `SELECT typed` returns (one column per type). */
export const typedFields: Field[] = [
  field("b", type("bool")),
  field("i2", type("int2")),
  field("i4", int4),
  field("i8", type("int8")),
  field("f4", type("float4")),
  field("f8", type("float8")),
  field("n", type("numeric")),
  field("by", type("bytea")),
  field("d", type("date")),
  field("ts", type("timestamp")),
  field("tz", type("timestamptz")),
  field("u", type("uuid")),
  field("t", text),
  field("j", type("jsonb")),
  field("ai", arrayOf(int4)),
  field("at", arrayOf(text)),
];

/** Values of `SELECT typed`. */
export const typedRow: Value[] = [
  true,
  -12,
  123456,
  9007199254740993n,
  1.5,
  -2.25,
  new Numeric(-12345678901234567890123n, 4),
  new Uint8Array([0, 1, 254, 255]),
  19_723, // 2024-01-01
  1_704_067_200_123_456n, // 2024-01-01 00:00:00.123456
  1_704_067_200_000_000n,
  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
  "héllo, wörld",
  new Jsonb({ a: [1, "x", null] }),
  [1, null, 3],
  ["a b", "", null, 'q"'],
];

interface Plan {
  readonly fields: Field[] | null;
  run(params: readonly Value[]): Promise<StatementResult>;
}

/** The shared state of all scripted sessions. */
export class ScriptedEngine implements PgEngine {
  readonly items: Value[][] = [];
  readonly sessions = new Map<number, ScriptedSession>();
  readonly opened: SessionParams[] = [];
  #nextId = 1000;

  openSession(params: SessionParams): Promise<Session> {
    if (params.database === "nosuchdb") {
      return Promise.reject(new DbError("3D000", `database "${params.database}" does not exist`));
    }
    this.opened.push(params);
    const s = new ScriptedSession(this, this.#nextId++, params);
    this.sessions.set(s.id, s);
    return Promise.resolve(s);
  }

  cancel(processId: number, secret: number): void {
    const s = this.sessions.get(processId);
    if (s && s.secret === secret) s.cancel();
  }

  notify(n: Notification): void {
    for (const s of this.sessions.values()) {
      if (s.listening.has(n.channel)) s.onNotification?.(n);
    }
  }
}

/** One scripted session. */
export class ScriptedSession implements Session {
  readonly secret = Math.floor(Math.random() * 0x7fffffff);
  txStatus: TxStatus = "I";
  readonly listening = new Set<string>();
  copyPort?: Session["copyPort"];
  onNotification?: (n: Notification) => void;
  readonly #settings = new Map<string, string>();
  #cancel: (() => void) | null = null;

  constructor(readonly engine: ScriptedEngine, readonly id: number, params: SessionParams) {
    this.#settings.set("application_name", params.applicationName);
  }

  async execute(
    sql: string,
    params: readonly Value[] = [],
    onResult?: (r: StatementResult) => void,
  ): Promise<StatementResult[]> {
    const out: StatementResult[] = [];
    for (const stmt of sql.split(";").map((s) => s.trim()).filter((s) => s !== "")) {
      const r = await this.#run(stmt, params);
      out.push(r);
      onResult?.(r);
    }
    return out;
  }

  async #run(sql: string, params: readonly Value[]): Promise<StatementResult> {
    if (this.txStatus === "E" && !/^(rollback|commit)/i.test(sql)) {
      throw new DbError(
        "25P02",
        "current transaction is aborted, commands ignored until end of transaction block",
      );
    }
    try {
      return await this.#plan(sql, params.map(() => text)).run(params);
    } catch (e) {
      if (this.txStatus === "T") this.txStatus = "E";
      throw e;
    }
  }

  #plan(sql: string, paramTypes: readonly SqlType[]): Plan {
    let m: RegExpExecArray | null;
    const noRows = (command: string, tag = command, effect = () => {}): Plan => ({
      fields: null,
      run: () => {
        effect();
        return Promise.resolve(result(command, tag, null, []));
      },
    });
    if (/^begin$/i.test(sql)) return noRows("BEGIN", "BEGIN", () => (this.txStatus = "T"));
    if (/^(commit|rollback)$/i.test(sql)) {
      const cmd = sql.toUpperCase();
      const tag = this.txStatus === "E" ? "ROLLBACK" : cmd;
      return noRows(cmd, tag, () => (this.txStatus = "I"));
    }
    if ((m = /^select (-?\d+)(?:::int4)?$/i.exec(sql))) {
      const n = Number(m[1]);
      return {
        fields: [field("?column?", int4)],
        run: () =>
          Promise.resolve(result("SELECT", "SELECT 1", null, [])).then(() =>
            result("SELECT", "SELECT 1", [field("?column?", int4)], [[n]])
          ),
      };
    }
    if (/^select typed$/i.test(sql)) {
      return {
        fields: typedFields,
        run: () => Promise.resolve(result("SELECT", "SELECT 1", typedFields, [typedRow])),
      };
    }
    if ((m = /^select \$1(::\w+)?(?:, \$(\d+)(::\w+)?)*$/i.exec(sql))) {
      const fields = paramTypes.map((t, i) => field(`p${i + 1}`, t));
      return {
        fields,
        run: (p) => Promise.resolve(result("SELECT", "SELECT 1", fields, [[...p]])),
      };
    }
    if (/^select \* from items$/i.test(sql)) {
      const fields = [field("id", int4), field("name", text)];
      return {
        fields,
        run: () =>
          Promise.resolve(
            result(
              "SELECT",
              `SELECT ${this.engine.items.length}`,
              fields,
              this.engine.items.map((r) => [...r]),
            ),
          ),
      };
    }
    if (/^insert into items values \(\$1, \$2\)$/i.test(sql)) {
      return {
        fields: null,
        run: (p) => {
          this.engine.items.push([p[0] === null ? null : Number(p[0]), p[1] ?? null]);
          return Promise.resolve(result("INSERT", "INSERT 0 1", null, []));
        },
      };
    }
    if (/^delete from items$/i.test(sql)) {
      return noRows("DELETE", "DELETE", () => (this.engine.items.length = 0));
    }
    if ((m = /^select pg_sleep\((\d+(?:\.\d+)?)\)$/i.exec(sql))) {
      const ms = Number(m[1]) * 1000;
      return { fields: [field("pg_sleep", type("void"))], run: () => this.#sleep(ms) };
    }
    if ((m = /^set (\w+) (?:=|to) '([^']*)'$/i.exec(sql))) {
      const [name, value] = [m[1]!, m[2]!];
      return noRows("SET", "SET", () => this.setSetting(name, value));
    }
    if ((m = /^(listen|notify) (\w+)(?:, '([^']*)')?$/i.exec(sql))) {
      const [verb, channel, payload] = [m[1]!.toUpperCase(), m[2]!, m[3] ?? ""];
      return noRows(verb, verb, () => {
        if (verb === "LISTEN") this.listening.add(channel);
        else this.engine.notify({ processId: this.id, channel, payload });
      });
    }
    if ((m = /^copy items (from stdin|to stdout)( csv( header)?| binary)?$/i.exec(sql))) {
      const format = m[2] === undefined
        ? "text" as const
        : /binary/i.test(m[2])
        ? "binary" as const
        : "csv" as const;
      const spec = {
        format,
        columns: 2,
        types: [int4, text],
        header: m[3] !== undefined,
        headerNames: ["id", "name"],
      };
      const into = /from/i.test(m[1]!);
      return { fields: null, run: () => into ? this.#copyIn(spec) : this.#copyOut(spec) };
    }
    if (/^select notice$/i.test(sql)) {
      return {
        fields: null,
        run: () =>
          Promise.resolve({
            ...result("SELECT", "SELECT 0", null, []),
            notices: [{ severity: "NOTICE", sqlstate: "00000", message: "hello notice" }],
          }),
      };
    }
    const pos = sql.search(/\S+$/);
    const e = new DbError("42601", `syntax error at or near "${sql.split(/\s+/).pop()}"`);
    e.position = pos + 1;
    e.hint = "The scripted engine knows only a few statements";
    throw e;
  }

  async #copyIn(
    spec: Parameters<NonNullable<Session["copyPort"]>["copyIn"]>[0],
  ): Promise<StatementResult> {
    if (!this.copyPort) throw new DbError("0A000", "COPY FROM STDIN needs a client");
    let n = 0;
    for await (const batch of this.copyPort.copyIn(spec)) {
      for (const row of batch) this.engine.items.push(row);
      n += batch.length;
    }
    return result("COPY", `COPY ${n}`, null, []);
  }

  async #copyOut(
    spec: Parameters<NonNullable<Session["copyPort"]>["copyIn"]>[0],
  ): Promise<StatementResult> {
    if (!this.copyPort) throw new DbError("0A000", "COPY TO STDOUT needs a client");
    const items = this.engine.items;
    async function* rows() {
      for (let i = 0; i < items.length; i += 100) yield items.slice(i, i + 100);
    }
    const n = await this.copyPort.copyOut(spec, rows());
    return result("COPY", `COPY ${n}`, null, []);
  }

  #sleep(ms: number): Promise<StatementResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#cancel = null;
        resolve(result("SELECT", "SELECT 1", [field("pg_sleep", type("void"))], [[""]]));
      }, ms);
      this.#cancel = () => {
        clearTimeout(timer);
        this.#cancel = null;
        reject(new DbError("57014", "canceling statement due to user request"));
      };
    });
  }

  prepare(sql: string, paramTypes: readonly (SqlType | null)[] = []): Promise<Prepared> {
    const count = Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    const casts = new Map(
      [...sql.matchAll(/\$(\d+)::(\w+)/g)].map((m) => [Number(m[1]) - 1, m[2]!]),
    );
    const types = Array.from({ length: count }, (_, i) => {
      const cast = casts.get(i);
      return paramTypes[i] ?? (cast ? type(cast as "text") : text);
    });
    const stmt = sql.trim().replace(/;$/, "");
    const fields = this.#plan(stmt, types).fields;
    return Promise.resolve({ sql: stmt, paramTypes: types, fields });
  }

  async open(prepared: Prepared, params: readonly Value[]): Promise<Cursor> {
    const plan = this.#plan(prepared.sql, prepared.paramTypes);
    let pending: Value[][] | null = null;
    let final: StatementResult | null = null;
    const run = async () => {
      if (final === null) {
        final = await this.#run(prepared.sql, params);
        pending = [...final.rows];
      }
    };
    await Promise.resolve();
    return {
      fields: plan.fields,
      fetch: async (maxRows) => {
        await run();
        const rows = maxRows > 0 ? pending!.splice(0, maxRows) : pending!.splice(0);
        const done = pending!.length === 0;
        return done ? { rows, done, result: final! } : { rows, done };
      },
      close: () => {},
    };
  }

  getSetting(name: string): string | undefined {
    return this.#settings.get(name.toLowerCase());
  }

  setSetting(name: string, value: string): void {
    this.#settings.set(name.toLowerCase(), value);
  }

  cancel(): void {
    this.#cancel?.();
  }

  close(): Promise<void> {
    this.engine.sessions.delete(this.id);
    return Promise.resolve();
  }
}
