import { expectTypeOf } from "vitest";
import { NexusError, type NexusErrorCode } from "./errors.js";

declare const e: unknown;
if (NexusError.is(e, "unauthorized")) {
  expectTypeOf(e).toMatchTypeOf<NexusError>();
  expectTypeOf(e.code).toEqualTypeOf<"unauthorized">();
}
if (NexusError.is(e)) expectTypeOf(e.code).toEqualTypeOf<NexusErrorCode>();
declare const code: "not_found" | "not_ready";
if (NexusError.is(e, code)) expectTypeOf(e.code).toEqualTypeOf<"not_found" | "not_ready">();
// @ts-expect-error a code this package does not have
NexusError.is(e, "no_such_code");
