import { afterEach, beforeEach } from "vitest";
import { createNexusClient, type NexusClient, type NexusClientOptions } from "../src/client.js";
import { NexusError } from "../src/errors.js";
import { createFakeClock, type FakeClock } from "./fake-clock.js";
import { type MockNexus, mockNexus } from "./mock-nexus.js";

/** What each unit test gets: a fresh mock Nexus, a fake clock and a client wired to both. */
export interface MockNexusSetup {
  readonly nexus: MockNexus;
  readonly clock: FakeClock;
  readonly client: NexusClient;
}

/**
 * Registers `beforeEach`/`afterEach` hooks that give every test a fresh mock Nexus at
 * `https://nexus.test`, a fake clock and a client built with `options` on top of those, hand them
 * to `bind` (so the test file keeps plain `nexus` / `client` / `clock` variables), and close the
 * client and the mock after the test.
 */
export function useMockNexus(bind: (setup: MockNexusSetup) => void, options: Partial<NexusClientOptions> = {}): void {
  let current: MockNexusSetup | undefined;
  beforeEach(() => {
    const nexus = mockNexus();
    const clock = createFakeClock();
    const client = createNexusClient({ baseUrl: "https://nexus.test", dispatcher: nexus.agent, clock, ...options });
    current = { nexus, clock, client };
    bind(current);
  });
  afterEach(async () => {
    const setup = current;
    current = undefined;
    if (setup === undefined) return;
    await setup.client.close();
    await setup.nexus.close();
  });
}

/** Awaits `p` and returns the {@link NexusError} it rejects with; fails on success or another error. */
export async function caught(p: Promise<unknown>): Promise<NexusError> {
  try {
    await p;
  } catch (e) {
    if (NexusError.is(e)) return e;
    throw e;
  }
  throw new Error("expected a NexusError");
}
