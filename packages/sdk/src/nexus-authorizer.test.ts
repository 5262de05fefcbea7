import { SpiffeId } from "@spike-ts/spiffe";
import { describe, expect, it } from "vitest";
import { authorizeNexus, isNexusId } from "./nexus-authorizer.js";

describe("isNexusId", () => {
  it.each([
    ["spiffe://spike.ist/spike/nexus", true],
    ["spiffe://spike.ist/spike/nexus/instance-1", true],
    ["spiffe://b.org/spike/nexus", true],
    ["spiffe://spike.ist/spike/nexusx", false],
    ["spiffe://spike.ist/spike/keeper", false],
    ["spiffe://other.org/spike/nexus", false],
    ["spiffe://spike.ist/app/spike/nexus", false],
    ["spiffe://spike.ist.evil/spike/nexus", false],
  ])("%s -> %s", (id, ok) => {
    expect(isNexusId(id, ["spike.ist", "b.org"])).toBe(ok);
  });
});

describe("authorizeNexus", () => {
  it("allows a Nexus ID and explains a refusal", () => {
    const authorize = authorizeNexus(["spike.ist"]);
    expect(authorize(SpiffeId.parse("spiffe://spike.ist/spike/nexus"), [])).toEqual({ allowed: true });
    const refused = authorize(SpiffeId.parse("spiffe://spike.ist/imposter"), []);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.reason).toContain("spiffe://spike.ist/imposter");
      expect(refused.reason).toContain("spiffe://spike.ist/spike/nexus[/...]");
      expect(refused.reason).toContain("SPIKE_TRUST_ROOT_NEXUS");
    }
  });
});
