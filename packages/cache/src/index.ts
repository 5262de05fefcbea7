export { createSecretCache } from "./secret-cache.js";
export type {
  CacheChangeEvent,
  CacheChangeListener,
  CacheEntryView,
  CacheStats,
  GetOptions,
  LoadContext,
  LoadReason,
  LookupOptions,
  SecretCache,
  SecretCacheOptions,
  SecretLoader,
  VersionLoadContext,
  VersionLoader,
} from "./types.js";
export type { CacheClock, CacheTimers, TimerHandle } from "./clock.js";
export { CacheError, type CacheErrorCode, type CacheErrorDetails } from "./errors.js";
