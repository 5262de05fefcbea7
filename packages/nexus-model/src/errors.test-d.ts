import { expectTypeOf } from "vitest";
import { NexusModelError, type NexusModelErrorCode } from "./errors.js";

declare const e: unknown;
if (NexusModelError.is(e, "secret_path_invalid")) {
  expectTypeOf(e).toMatchTypeOf<NexusModelError>();
  expectTypeOf(e.code).toEqualTypeOf<"secret_path_invalid">();
}
if (NexusModelError.is(e)) expectTypeOf(e.code).toEqualTypeOf<NexusModelErrorCode>();
declare const code: "secret_path_invalid" | "key_name_invalid";
if (NexusModelError.is(e, code)) expectTypeOf(e.code).toEqualTypeOf<"secret_path_invalid" | "key_name_invalid">();
// @ts-expect-error a code this package does not have
NexusModelError.is(e, "no_such_code");
