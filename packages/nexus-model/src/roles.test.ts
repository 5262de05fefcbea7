import { describe, expect, it } from "vitest";
import { authorizeOperation } from "./authorize.js";
import { NexusModelError } from "./errors.js";
import { compilePolicy } from "./policy.js";
import {
  hasRole,
  parseTrustRootList,
  roleIds,
  rolesOf,
  trustRootsFor,
  trustRootsFromEnv,
  validatePeerSpiffeId,
} from "./roles.js";

describe("trust roots", () => {
  it("defaults to spike.ist and trims lists", () => {
    expect(parseTrustRootList(undefined)).toEqual(["spike.ist"]);
    expect(parseTrustRootList("  ")).toEqual(["spike.ist"]);
    expect(parseTrustRootList(" a.org , b.org")).toEqual(["a.org", "b.org"]);
  });
  it("throws where Go would exit: an empty entry", () => {
    expect(() => parseTrustRootList("a.org,", "SPIKE_TRUST_ROOT_NEXUS")).toThrow(
      'nexus-model: SPIKE_TRUST_ROOT_NEXUS "a.org," has an empty entry; remove the extra comma',
    );
    expect(() => parseTrustRootList("A.org")).toThrow(NexusModelError);
  });
  it("reads only the role variables, not SPIKE_TRUST_ROOT", () => {
    const r = trustRootsFromEnv({ SPIKE_TRUST_ROOT: "ignored.org", SPIKE_TRUST_ROOT_PILOT: "p.org,q.org" });
    expect(r.superuser).toEqual(["p.org", "q.org"]);
    expect(r.recover).toEqual(["p.org", "q.org"]);
    expect(r.nexus).toEqual(["spike.ist"]);
    expect(r["lite-workload"]).toEqual(["spike.ist"]);
  });
});

describe("roles", () => {
  const roots = trustRootsFor("example.org");
  it("builds role IDs", () => {
    expect(roleIds("example.org")).toEqual({
      superuser: "spiffe://example.org/spike/pilot/role/superuser",
      recover: "spiffe://example.org/spike/pilot/role/recover",
      restore: "spiffe://example.org/spike/pilot/role/restore",
      "lite-workload": "spiffe://example.org/spike/workload/role/lite",
      bootstrap: "spiffe://example.org/spike/bootstrap",
      keeper: "spiffe://example.org/spike/keeper",
      nexus: "spiffe://example.org/spike/nexus",
    });
  });
  it("matches the base or anything below base + /", () => {
    expect(hasRole("spiffe://example.org/spike/pilot/role/superuser", "superuser", roots)).toBe(true);
    expect(hasRole("spiffe://example.org/spike/pilot/role/superuser/x", "superuser", roots)).toBe(true);
    expect(hasRole("spiffe://example.org/spike/pilot/role/superuserx", "superuser", roots)).toBe(false);
    expect(hasRole("spiffe://other.org/spike/pilot/role/superuser", "superuser", roots)).toBe(false);
    expect(hasRole("spiffe://example.org/spike/pilot/recover", "recover", roots)).toBe(false);
    expect(rolesOf("spiffe://example.org/spike/nexus/1", roots)).toEqual(["nexus"]);
    expect(rolesOf("spiffe://example.org/web", roots)).toEqual([]);
  });
  it("applies Nexus's peer ID rule", () => {
    expect(validatePeerSpiffeId("spiffe://example.org/a_b/c-d.e")).toBeUndefined();
    for (const bad of ["spiffe://example.org/a%20b", "spiffe://example.org/a:b", "spiffe://example.org/~x", "spiffe://example.org/a@b", "spiffe://example.org/"]) {
      expect(validatePeerSpiffeId(bad)?.status).toBe(401);
    }
  });
});

describe("authorizeOperation (spec §4.6)", () => {
  const roots = trustRootsFor("example.org");
  const ids = roleIds("example.org");
  const policies = [
    compilePolicy({ name: "web", spiffeIdPattern: "^spiffe://example\\.org/web$", pathPattern: "^apps/web/", permissions: ["read", "write"] }),
    compilePolicy({ name: "lister", spiffeIdPattern: "^spiffe://example\\.org/lister$", pathPattern: "^spike/system/secret$", permissions: ["list"] }),
    compilePolicy({ name: "cipher", spiffeIdPattern: "^spiffe://example\\.org/enc$", pathPattern: "^spike/system/cipher/exec$", permissions: ["execute"] }),
  ];
  const allow = (operation: Parameters<typeof authorizeOperation>[0]["operation"], peerId: string, path?: string) =>
    authorizeOperation({ operation, peerId, ...(path ? { path } : {}), policies, trustRoots: roots }).allowed;

  it("the superuser may do everything but recover, restore and verify", () => {
    for (const op of ["secret.put", "secret.list", "policy.put", "cipher.encrypt"] as const) expect(allow(op, ids.superuser, "x")).toBe(true);
    for (const op of ["operator.recover", "operator.restore", "bootstrap.verify"] as const) expect(allow(op, ids.superuser)).toBe(false);
  });
  it("fixed roles for operator and bootstrap", () => {
    expect(allow("operator.recover", ids.recover)).toBe(true);
    expect(allow("operator.restore", ids.recover)).toBe(false);
    expect(allow("operator.restore", ids.restore)).toBe(true);
    expect(allow("bootstrap.verify", ids.bootstrap)).toBe(true);
  });
  it("lite workloads encrypt and decrypt only, whatever the policies say", () => {
    expect(allow("cipher.encrypt", ids["lite-workload"])).toBe(true);
    expect(allow("cipher.decrypt", ids["lite-workload"])).toBe(true);
    const everything = [compilePolicy({ name: "all", spiffeIdPattern: "^spiffe://.*$", pathPattern: ".*", permissions: ["super"] })];
    const d = authorizeOperation({ operation: "secret.get", peerId: ids["lite-workload"], path: "a", policies: everything, trustRoots: roots });
    expect(d).toEqual({ allowed: false, reason: "lite workloads may only encrypt and decrypt" });
  });
  it("workloads are governed by policies on the right resource", () => {
    expect(allow("secret.get", "spiffe://example.org/web", "apps/web/db")).toBe(true);
    expect(allow("secret.put", "spiffe://example.org/web", "apps/web/db")).toBe(true);
    expect(allow("secret.get", "spiffe://example.org/web", "apps/api/db")).toBe(false);
    expect(allow("secret.list", "spiffe://example.org/web")).toBe(false);
    expect(allow("secret.list", "spiffe://example.org/lister")).toBe(true);
    expect(allow("cipher.encrypt", "spiffe://example.org/enc")).toBe(true);
    expect(allow("policy.list", "spiffe://example.org/lister")).toBe(false);
  });
  it("refuses a peer ID outside Nexus's rule before any policy", () => {
    const d = authorizeOperation({ operation: "secret.get", peerId: "spiffe://example.org/we%62", path: "apps/web/x", policies, trustRoots: roots });
    expect(d.allowed).toBe(false);
  });
});

describe("validatePeerSpiffeId with what a broken caller passes", () => {
  it("refuses non-strings as spiffe_id_invalid without throwing", () => {
    for (const v of [undefined, null, 5, 10n, {}, ["spiffe://spike.ist/x"]]) {
      expect(validatePeerSpiffeId(v as never)?.code).toBe("spiffe_id_invalid");
    }
  });
});
