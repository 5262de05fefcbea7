import { expectTypeOf } from "vitest";
import { WorkloadApiError, type WorkloadApiErrorCode } from "./errors.js";

declare const e: unknown;
if (WorkloadApiError.is(e, "unreachable")) {
  expectTypeOf(e).toMatchTypeOf<WorkloadApiError>();
  expectTypeOf(e.code).toEqualTypeOf<"unreachable">();
}
if (WorkloadApiError.is(e)) expectTypeOf(e.code).toEqualTypeOf<WorkloadApiErrorCode>();
declare const code: "unreachable" | "closed";
if (WorkloadApiError.is(e, code)) expectTypeOf(e.code).toEqualTypeOf<"unreachable" | "closed">();
// @ts-expect-error a code this package does not have
WorkloadApiError.is(e, "no_such_code");
