import type { PolicySpec } from "@spike-ts/nexus-model";
import { expectTypeOf } from "vitest";
import type { NexusClient, NexusClientOptions } from "./client.js";
import type { NexusError, NexusErrorCode } from "./errors.js";
import type { Policy, PolicySummary, SecretMetadata } from "./results.js";

declare const client: NexusClient;

expectTypeOf(client.getSecret).returns.resolves.toEqualTypeOf<Record<string, string>>();
expectTypeOf(client.getSecretMetadata).returns.resolves.toEqualTypeOf<SecretMetadata>();
expectTypeOf<SecretMetadata["createdTime"]>().toEqualTypeOf<Date>();
expectTypeOf<SecretMetadata["versions"][number]["deletedTime"]>().toEqualTypeOf<Date | undefined>();
expectTypeOf(client.getPolicy).returns.resolves.toEqualTypeOf<Policy>();
expectTypeOf(client.listPolicies).returns.resolves.toEqualTypeOf<PolicySummary[]>();
expectTypeOf(client.putPolicy).parameter(0).toEqualTypeOf<PolicySpec>();
expectTypeOf(client.close).returns.toEqualTypeOf<Promise<void>>();
expectTypeOf<NexusClientOptions["timeoutMs"]>().toEqualTypeOf<number | undefined>();
expectTypeOf<NexusError["code"]>().toEqualTypeOf<NexusErrorCode>();
expectTypeOf<"timeout">().toMatchTypeOf<NexusErrorCode>();
// @ts-expect-error: a version is a number
void client.getSecret("a", { version: "2" });
// @ts-expect-error: values are strings
void client.putSecret("a", { n: 1 });
