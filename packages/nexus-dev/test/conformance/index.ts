// Every conformance case, for any target.
import type { ConformanceContext } from "./target.js";
import { defineCipherCases } from "./cipher-cases.js";
import { definePolicyCases } from "./policy-cases.js";
import { defineSecretCases } from "./secret-cases.js";
import { defineWireCases } from "./wire-cases.js";

/** Declares the whole conformance suite against the context `ctx()` returns (set in `beforeAll`). */
export function defineConformanceSuite(ctx: () => ConformanceContext): void {
  defineWireCases(ctx);
  defineSecretCases(ctx);
  definePolicyCases(ctx);
  defineCipherCases(ctx);
}

export { connectTarget, type ConformanceContext, type ConformanceTarget } from "./target.js";
