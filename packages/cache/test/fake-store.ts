import type { LoadContext, VersionLoadContext } from "../src/index.js";

/** A promise with its resolve and reject functions. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Makes a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** One recorded call of a loader. */
export interface LoadCall {
  path: string;
  version: number | undefined;
  identity: string | undefined;
  reason: string;
  signal: AbortSignal;
}

/**
 * A versioned secret store standing in for Nexus: `put` makes a new version, `load` and
 * `loadVersion` are the loaders to pass to the cache. Loads can be held open (`hold()`) or made
 * to fail (`failWith()`), and every call is recorded.
 */
export function createFakeStore() {
  const secrets = new Map<string, { current: number; versions: Map<number, Record<string, string>> }>();
  const loadCalls: LoadCall[] = [];
  const versionCalls: LoadCall[] = [];
  let failure: Error | undefined;
  let gate: Deferred<void> | undefined;

  async function pass(signal: AbortSignal): Promise<void> {
    if (gate !== undefined) {
      const g = gate;
      await new Promise<void>((resolve, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
        g.promise.then(resolve, reject);
      });
    }
    if (failure !== undefined) throw failure;
  }

  return {
    loadCalls,
    versionCalls,
    put(path: string, data: Record<string, string>): number {
      const s = secrets.get(path) ?? { current: 0, versions: new Map() };
      s.current++;
      s.versions.set(s.current, data);
      secrets.set(path, s);
      return s.current;
    },
    /** Loads from now on wait until the returned function is called. */
    hold(): () => void {
      const g = deferred<void>();
      gate = g;
      return () => {
        if (gate === g) gate = undefined;
        g.resolve();
      };
    },
    failWith(error: Error | undefined): void {
      failure = error;
    },
    async load(path: string, ctx: LoadContext): Promise<Record<string, string>> {
      loadCalls.push({ path, version: ctx.version, identity: ctx.identity, reason: ctx.reason, signal: ctx.signal });
      await pass(ctx.signal);
      const s = secrets.get(path);
      const data = s?.versions.get(ctx.version ?? s.current);
      if (data === undefined) throw new Error(`fake store: not found: ${path}`);
      return { ...data };
    },
    async loadVersion(path: string, ctx: VersionLoadContext): Promise<number> {
      versionCalls.push({ path, version: undefined, identity: ctx.identity, reason: ctx.reason, signal: ctx.signal });
      await pass(ctx.signal);
      const s = secrets.get(path);
      if (s === undefined) throw new Error(`fake store: not found: ${path}`);
      return s.current;
    },
  };
}

/** The fake store's type. */
export type FakeStore = ReturnType<typeof createFakeStore>;
