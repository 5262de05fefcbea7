import { expectTypeOf } from "vitest";
import { CliError, type CliErrorCode } from "./errors.js";

declare const e: unknown;
if (CliError.is(e, "usage")) expectTypeOf(e.code).toEqualTypeOf<"usage">();
if (CliError.is(e)) expectTypeOf(e.code).toEqualTypeOf<CliErrorCode>();
