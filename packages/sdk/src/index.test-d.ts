import type { Policy, SecretMetadata } from "@spike-ts/nexus-client";
import { expectTypeOf } from "vitest";
import { CacheError, Secret, SpikeError, createSpikeClient } from "./index.js";
import type { CachedSecrets, EncryptedData, PolicySummary, SpikeClient, SpikeClientOptions, SpikeErrorCode } from "./index.js";
import type { WorkloadApiError } from "@spike-ts/workload-api";

expectTypeOf(createSpikeClient).returns.resolves.toEqualTypeOf<SpikeClient>();
expectTypeOf(createSpikeClient).parameter(0).toMatchTypeOf<{ env?: Readonly<Record<string, string | undefined>> } | undefined>();
expectTypeOf<SpikeClientOptions["waitForAgent"]>().toEqualTypeOf<boolean | undefined>();
expectTypeOf<SpikeClientOptions["onSourceError"]>().toEqualTypeOf<((error: WorkloadApiError) => void) | undefined>();

declare const spike: SpikeClient;
expectTypeOf(spike.getSecret("a")).resolves.toEqualTypeOf<Secret>();
expectTypeOf(spike.getSecretMetadata("a")).resolves.toEqualTypeOf<SecretMetadata>();
expectTypeOf(spike.getPolicy("p")).resolves.toEqualTypeOf<Policy>();
expectTypeOf(spike.listPolicies()).resolves.toEqualTypeOf<PolicySummary[]>();
expectTypeOf(spike.listSecretKeys()).resolves.toEqualTypeOf<string[]>();
expectTypeOf(spike.encrypt("x")).resolves.toEqualTypeOf<Uint8Array>();
expectTypeOf(spike.encryptJson("x")).resolves.toEqualTypeOf<EncryptedData>();
expectTypeOf(spike.decryptJson).parameter(0).toEqualTypeOf<EncryptedData>();
expectTypeOf(spike.cached()).toEqualTypeOf<CachedSecrets>();
expectTypeOf(spike.cached().get("a")).resolves.toEqualTypeOf<Secret>();
expectTypeOf(spike).toMatchTypeOf<AsyncDisposable>();
expectTypeOf(spike.close()).resolves.toBeVoid();
expectTypeOf<Secret["get"]>().returns.toEqualTypeOf<string | undefined>();

// Every call takes a signal.
expectTypeOf(spike.getSecret).parameter(1).toMatchTypeOf<{ signal?: AbortSignal } | undefined>();
expectTypeOf(spike.putSecret).parameter(2).toMatchTypeOf<{ signal?: AbortSignal } | undefined>();
expectTypeOf(spike.listSecretKeys).parameter(0).toMatchTypeOf<{ signal?: AbortSignal } | undefined>();

// Permissions are checked at compile time.
// @ts-expect-error "admin" is not a permission
void spike.createPolicy({ name: "p", spiffeIdPattern: "^x$", pathPattern: "^y$", permissions: ["admin"] });

// Error guards narrow the code.
declare const e: unknown;
if (SpikeError.is(e, "config_invalid")) {
  expectTypeOf(e.code).toEqualTypeOf<"config_invalid">();
  expectTypeOf(e.setting).toEqualTypeOf<string | undefined>();
}
if (SpikeError.is(e)) expectTypeOf(e.code).toEqualTypeOf<SpikeErrorCode>();
if (CacheError.is(e, "stale")) expectTypeOf(e.code).toEqualTypeOf<"stale">();
// @ts-expect-error not a SpikeError code
SpikeError.is(e, "nope");
