import { expectTypeOf } from "vitest";
import { MtlsError, type MtlsErrorCode } from "./errors.js";

declare const e: unknown;
if (MtlsError.is(e, "unauthorized")) {
  expectTypeOf(e).toMatchTypeOf<MtlsError>();
  expectTypeOf(e.code).toEqualTypeOf<"unauthorized">();
}
if (MtlsError.is(e)) expectTypeOf(e.code).toEqualTypeOf<MtlsErrorCode>();
declare const code: "not_tls" | "handshake_failed";
if (MtlsError.is(e, code)) expectTypeOf(e.code).toEqualTypeOf<"not_tls" | "handshake_failed">();
// @ts-expect-error a code this package does not have
MtlsError.is(e, "no_such_code");
