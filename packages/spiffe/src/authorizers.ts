import { SpiffeError } from "./errors.js";
import { SpiffeId } from "./spiffe-id.js";
import { TrustDomain } from "./trust-domain.js";

/** The verdict of an {@link Authorizer}: allowed, or refused with a reason naming the ID seen. */
export type AuthorizationResult = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** Decides whether a peer, after chain verification, may proceed. */
export type Authorizer = (id: SpiffeId, verifiedChain: readonly Uint8Array[]) => AuthorizationResult;

const ALLOWED: AuthorizationResult = Object.freeze({ allowed: true });

function refuse(reason: string): AuthorizationResult {
  return { allowed: false, reason };
}

/**
 * An authorizer that accepts any peer whose chain verified.
 *
 * @example
 * ```ts
 * createMtlsAgent({ source, authorize: authorizeAny() });
 * ```
 */
export function authorizeAny(): Authorizer {
  return () => ALLOWED;
}

/**
 * An authorizer that accepts exactly one SPIFFE ID.
 *
 * @example
 * ```ts
 * authorizeId("spiffe://example.org/spike/nexus");
 * ```
 */
export function authorizeId(expected: SpiffeId | string): Authorizer {
  const want = SpiffeId.from(expected);
  return (id) =>
    id.equals(want) ? ALLOWED : refuse(`unexpected spiffe id "${id.toString()}" (expected "${want.toString()}")`);
}

/**
 * An authorizer that accepts any of the given SPIFFE IDs.
 *
 * @example
 * ```ts
 * authorizeOneOf("spiffe://example.org/a", "spiffe://example.org/b");
 * ```
 */
export function authorizeOneOf(...expected: Array<SpiffeId | string>): Authorizer {
  const want = expected.map((e) => SpiffeId.from(e));
  const set = new Set(want.map((w) => w.toString()));
  const list = want.map((w) => `"${w.toString()}"`).join(", ");
  return (id) =>
    set.has(id.toString()) ? ALLOWED : refuse(`unexpected spiffe id "${id.toString()}" (expected one of ${list || "none"})`);
}

/**
 * An authorizer that accepts any SPIFFE ID of one trust domain.
 *
 * @example
 * ```ts
 * authorizeMemberOf("example.org");
 * ```
 */
export function authorizeMemberOf(td: TrustDomain | string): Authorizer {
  const want = TrustDomain.from(td);
  return (id) =>
    id.memberOf(want)
      ? ALLOWED
      : refuse(`unexpected trust domain "${id.trustDomain.name}" of "${id.toString()}" (expected "${want.name}")`);
}

/**
 * An authorizer from a predicate; `expectation` describes what it wants, for the refusal reason.
 * A predicate that throws refuses (the exception is reported, not rethrown).
 *
 * @example
 * ```ts
 * authorizeIf((id) => id.path.startsWith("/ns/prod/"), "an id under /ns/prod/");
 * ```
 */
export function authorizeIf(predicate: (id: SpiffeId) => boolean, expectation: string): Authorizer {
  if (typeof predicate !== "function") throw new SpiffeError("invalid_argument", "authorizeIf needs a predicate function");
  return (id) => {
    let ok: boolean;
    try {
      ok = predicate(id) === true;
    } catch (e) {
      return refuse(
        `spiffe id "${id.toString()}" not authorized: predicate failed (${e instanceof Error ? e.message : String(e)}); expected ${expectation}`,
      );
    }
    return ok ? ALLOWED : refuse(`unexpected spiffe id "${id.toString()}" (expected ${expectation})`);
  };
}

/**
 * Runs `authorizer` and throws {@link SpiffeError} `unauthorized` with its reason on refusal.
 *
 * @example
 * ```ts
 * assertAuthorized(authorizeMemberOf("example.org"), id, chain);
 * ```
 */
export function assertAuthorized(authorizer: Authorizer, id: SpiffeId, verifiedChain: readonly Uint8Array[]): void {
  const r = authorizer(id, verifiedChain);
  if (!r.allowed) throw new SpiffeError("unauthorized", r.reason);
}
