import { expectTypeOf } from "vitest";
import { NexusDevError, type NexusDevErrorCode } from "./errors.js";

declare const e: unknown;
if (NexusDevError.is(e, "store_locked")) {
  expectTypeOf(e).toMatchTypeOf<NexusDevError>();
  expectTypeOf(e.code).toEqualTypeOf<"store_locked">();
}
if (NexusDevError.is(e)) expectTypeOf(e.code).toEqualTypeOf<NexusDevErrorCode>();
declare const code: "store_locked" | "closed";
if (NexusDevError.is(e, code)) expectTypeOf(e.code).toEqualTypeOf<"store_locked" | "closed">();
// @ts-expect-error a code this package does not have
NexusDevError.is(e, "no_such_code");
