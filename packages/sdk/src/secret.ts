import { inspect } from "node:util";

const REDACTED = "[redacted]";

/**
 * A secret read from Nexus: the key/value map of one version at one path.
 *
 * The values stay out of `util.inspect`, `console.log`, `JSON.stringify`, `String()` and error
 * messages; read them explicitly with `get(key)`, `entries()` or `reveal()`.
 *
 * @example
 * ```ts
 * const secret = await spike.getSecret("tenants/demo/db");
 * console.log(secret);                  // Secret { path: 'tenants/demo/db', keys: [ 'password', 'username' ], values: '[redacted]' }
 * connect(secret.get("username"), secret.get("password"));
 * ```
 */
export class Secret {
  /** The path the secret was read from. */
  readonly path: string;
  /** The version asked for, or `undefined` for the current one (Nexus does not say which it served). */
  readonly version: number | undefined;
  readonly #data: ReadonlyMap<string, string>;

  /** Wraps `data` (copied) read from `path`; `version` is the version asked for, if any. */
  constructor(path: string, data: Readonly<Record<string, string>> | null | undefined, version?: number) {
    this.path = path;
    this.version = version;
    this.#data = new Map(Object.entries(data ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** The value of `key`, or `undefined` when the secret has no such key. */
  get(key: string): string | undefined {
    return this.#data.get(key);
  }

  /** Whether the secret has `key`. */
  has(key: string): boolean {
    return this.#data.has(key);
  }

  /** The key names, sorted (names are not secret). */
  keys(): string[] {
    return [...this.#data.keys()];
  }

  /** How many keys the secret has. */
  get size(): number {
    return this.#data.size;
  }

  /** The `[key, value]` pairs, sorted by key. Reveals the values. */
  entries(): Array<[string, string]> {
    return [...this.#data.entries()];
  }

  /** A plain object copy of the data. Reveals the values. */
  reveal(): Record<string, string> {
    return Object.fromEntries(this.#data);
  }

  /** The JSON form: path, version and key names, with the values redacted. */
  toJSON(): { path: string; version?: number; keys: string[]; values: string } {
    return {
      path: this.path,
      ...(this.version === undefined ? {} : { version: this.version }),
      keys: this.keys(),
      values: REDACTED,
    };
  }

  /** A one-line description without the values. */
  toString(): string {
    const v = this.version === undefined ? "" : ` v${this.version}`;
    return `[Secret ${this.path}${v}: ${this.size} keys, values redacted]`;
  }

  /** What `util.inspect` and `console.log` show: no values. */
  [inspect.custom](depth: number, options: import("node:util").InspectOptionsStylized): string {
    const shown = this.toJSON();
    if (depth < 0) return options.stylize("[Secret]", "special");
    return `Secret ${inspect(shown, { colors: options.colors, breakLength: options.breakLength, depth: 1 })}`;
  }

  /** Primitive conversion gives the redacted description, never a value. */
  [Symbol.toPrimitive](): string {
    return this.toString();
  }
}
