import { expectTypeOf } from "vitest";
import { SpiffeError, type SpiffeErrorCode } from "./errors.js";

declare const e: unknown;
if (SpiffeError.is(e, "svid_expired")) {
  expectTypeOf(e).toMatchTypeOf<SpiffeError>();
  expectTypeOf(e.code).toEqualTypeOf<"svid_expired">();
}
if (SpiffeError.is(e)) expectTypeOf(e.code).toEqualTypeOf<SpiffeErrorCode>();
declare const code: "svid_expired" | "source_closed";
if (SpiffeError.is(e, code)) expectTypeOf(e.code).toEqualTypeOf<"svid_expired" | "source_closed">();
// @ts-expect-error a code this package does not have
SpiffeError.is(e, "no_such_code");
