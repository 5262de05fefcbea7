import type { JwtBundleSource, X509Source } from "@spike-ts/spiffe";
import { expectTypeOf } from "vitest";
import type {
  JwtSourceOptions,
  WorkloadApiClient,
  WorkloadApiError,
  WorkloadApiErrorCode,
  WorkloadJwtSource,
  WorkloadSource,
  WorkloadSourceOptions,
  WorkloadX509Source,
  X509SourceOptions,
} from "./index.js";
import { createJwtSource, createWorkloadApiClient, createX509Source } from "./index.js";

// The sources plug into spiffe's interfaces (mtls-transport consumes X509Source).
expectTypeOf<WorkloadX509Source>().toMatchTypeOf<X509Source>();
expectTypeOf<WorkloadJwtSource>().toMatchTypeOf<JwtBundleSource>();
expectTypeOf(createX509Source).returns.resolves.toEqualTypeOf<WorkloadX509Source>();
expectTypeOf(createJwtSource).returns.resolves.toEqualTypeOf<WorkloadJwtSource>();
expectTypeOf(createWorkloadApiClient).returns.toEqualTypeOf<WorkloadApiClient>();
expectTypeOf<WorkloadX509Source["close"]>().returns.toEqualTypeOf<Promise<void>>();
expectTypeOf<WorkloadX509Source["onUpdate"]>().returns.toEqualTypeOf<() => void>();
expectTypeOf<X509SourceOptions["signal"]>().toEqualTypeOf<AbortSignal | undefined>();
expectTypeOf<"pick_missing">().toMatchTypeOf<WorkloadApiErrorCode>();

// Both sources share the lifecycle members and options.
expectTypeOf<WorkloadX509Source>().toMatchTypeOf<WorkloadSource>();
expectTypeOf<WorkloadJwtSource>().toMatchTypeOf<WorkloadSource>();
expectTypeOf<X509SourceOptions>().toMatchTypeOf<WorkloadSourceOptions>();
expectTypeOf<JwtSourceOptions>().toMatchTypeOf<WorkloadSourceOptions>();
expectTypeOf<X509SourceOptions["waitForAgent"]>().toEqualTypeOf<boolean | undefined>();
expectTypeOf<JwtSourceOptions["onError"]>().toEqualTypeOf<((error: WorkloadApiError) => void) | undefined>();
