import { expectTypeOf } from "vitest";
import { CacheError, createSecretCache } from "./index.js";
import type { CacheChangeEvent, CacheErrorCode, CacheStats, LoadContext, SecretCache } from "./index.js";

const cache = createSecretCache({ load: async (path: string) => ({ path }), ttlMs: 1_000 });
expectTypeOf(cache).toEqualTypeOf<SecretCache<{ path: string }>>();
expectTypeOf(cache.get("a")).toEqualTypeOf<Promise<{ path: string }>>();
expectTypeOf(cache.getIfFresh("a")).toEqualTypeOf<{ path: string } | undefined>();
expectTypeOf(cache.stats()).toEqualTypeOf<CacheStats>();
expectTypeOf(cache.close()).toEqualTypeOf<Promise<void>>();
expectTypeOf(cache.onChange("a", (e) => expectTypeOf(e).toEqualTypeOf<CacheChangeEvent>())).toEqualTypeOf<() => void>();

// The value type is inferred from load.
const secrets = createSecretCache({
  load: async (_path: string, ctx: LoadContext) => ({ version: String(ctx.version) }),
  ttlMs: 1_000,
});
expectTypeOf(secrets.get("a")).resolves.toEqualTypeOf<{ version: string }>();

declare const e: unknown;
if (CacheError.is(e)) expectTypeOf(e.code).toEqualTypeOf<CacheErrorCode>();

// @ts-expect-error ttlMs is required
createSecretCache({ load: async () => ({}) });

declare const thrown: unknown;
if (CacheError.is(thrown, "load_failed")) expectTypeOf(thrown.code).toEqualTypeOf<"load_failed">();
if (CacheError.is(thrown)) expectTypeOf(thrown.code).toEqualTypeOf<CacheErrorCode>();
