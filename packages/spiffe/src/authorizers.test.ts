import { describe, expect, it } from "vitest";
import {
  assertAuthorized,
  authorizeAny,
  authorizeId,
  authorizeIf,
  authorizeMemberOf,
  authorizeOneOf,
} from "./authorizers.js";
import { SpiffeError } from "./errors.js";
import { SpiffeId } from "./spiffe-id.js";
import { TrustDomain } from "./trust-domain.js";

const api = SpiffeId.parse("spiffe://example.org/api");
const web = SpiffeId.parse("spiffe://example.org/web");
const evil = SpiffeId.parse("spiffe://evil.test/api");

describe("authorizers", () => {
  it("authorizeAny allows everyone", () => {
    expect(authorizeAny()(evil, [])).toEqual({ allowed: true });
  });

  it("authorizeId allows one ID and names both IDs when refusing", () => {
    const authz = authorizeId("spiffe://example.org/api");
    expect(authz(api, [])).toEqual({ allowed: true });
    expect(authz(web, [])).toEqual({
      allowed: false,
      reason: 'unexpected spiffe id "spiffe://example.org/web" (expected "spiffe://example.org/api")',
    });
    expect(authz(SpiffeId.parse("spiffe://example.org/api/x"), []).allowed).toBe(false);
    expect(() => authorizeId("spiffe://example.org/../x")).toThrow(expect.objectContaining({ code: "path_dot_segment" }));
  });

  it("authorizeOneOf allows listed IDs", () => {
    const authz = authorizeOneOf(api, "spiffe://example.org/web");
    expect(authz(api, []).allowed).toBe(true);
    expect(authz(web, []).allowed).toBe(true);
    expect(authz(evil, [])).toEqual({
      allowed: false,
      reason:
        'unexpected spiffe id "spiffe://evil.test/api" (expected one of "spiffe://example.org/api", "spiffe://example.org/web")',
    });
    expect(authorizeOneOf()(api, [])).toEqual({
      allowed: false,
      reason: 'unexpected spiffe id "spiffe://example.org/api" (expected one of none)',
    });
  });

  it("authorizeMemberOf allows one trust domain, not look-alikes", () => {
    const authz = authorizeMemberOf(TrustDomain.parse("example.org"));
    expect(authz(api, []).allowed).toBe(true);
    expect(authorizeMemberOf("example.org")(SpiffeId.parse("spiffe://example.org.evil.test/api"), [])).toEqual({
      allowed: false,
      reason: 'unexpected trust domain "example.org.evil.test" of "spiffe://example.org.evil.test/api" (expected "example.org")',
    });
  });

  it("authorizeIf uses the predicate and the expectation text", () => {
    const authz = authorizeIf((id) => id.path.startsWith("/ns/prod/"), "an id under /ns/prod/");
    expect(authz(SpiffeId.parse("spiffe://example.org/ns/prod/web"), []).allowed).toBe(true);
    expect(authz(api, [])).toEqual({
      allowed: false,
      reason: 'unexpected spiffe id "spiffe://example.org/api" (expected an id under /ns/prod/)',
    });
  });

  it("authorizeIf refuses when the predicate throws or returns a non-boolean", () => {
    const throwing = authorizeIf(() => {
      throw new Error("boom");
    }, "anything");
    const r = throwing(api, []);
    expect(r.allowed).toBe(false);
    expect(!r.allowed && r.reason).toContain("predicate failed (boom)");
    expect(authorizeIf((() => "yes") as unknown as () => boolean, "x")(api, []).allowed).toBe(false);
    expect(() => authorizeIf(undefined as never, "x")).toThrow(expect.objectContaining({ code: "invalid_argument" }));
  });

  it("assertAuthorized throws unauthorized with the reason", () => {
    expect(() => assertAuthorized(authorizeId(api), web, [])).toThrow(
      'spiffe: unexpected spiffe id "spiffe://example.org/web" (expected "spiffe://example.org/api")',
    );
    try {
      assertAuthorized(authorizeId(api), web, []);
    } catch (e) {
      expect(SpiffeError.is(e, "unauthorized")).toBe(true);
    }
    expect(() => assertAuthorized(authorizeAny(), web, [])).not.toThrow();
  });
});
