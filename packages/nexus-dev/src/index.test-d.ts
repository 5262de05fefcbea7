import { expectTypeOf } from "vitest";
import {
  createDevNexus,
  createFileStore,
  createMemoryStore,
  type DevNexus,
  type DevStack,
  type DevStackEnv,
  NexusDevError,
  type NexusDevErrorCode,
  type NexusStore,
  startDevStack,
} from "./index.js";

expectTypeOf(createDevNexus).returns.resolves.toEqualTypeOf<DevNexus>();
expectTypeOf(startDevStack).returns.resolves.toEqualTypeOf<DevStack>();
expectTypeOf<DevNexus["close"]>().returns.toEqualTypeOf<Promise<void>>();
expectTypeOf<DevStack["pilot"]["env"]>().toEqualTypeOf<DevStackEnv>();
expectTypeOf<DevStackEnv["SPIFFE_ENDPOINT_SOCKET"]>().toEqualTypeOf<string>();
expectTypeOf(createMemoryStore).returns.toEqualTypeOf<NexusStore>();
expectTypeOf(createFileStore).parameter(0).toEqualTypeOf<{ readonly directory: string }>();
expectTypeOf<NexusDevError["code"]>().toEqualTypeOf<NexusDevErrorCode>();
expectTypeOf(NexusDevError.is).guards.toEqualTypeOf<NexusDevError & { readonly code: NexusDevErrorCode }>();
