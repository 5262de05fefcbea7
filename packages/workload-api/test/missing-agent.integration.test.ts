import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type BackoffStrategy, WorkloadApiError, createJwtSource, createX509Source, linearBackoff } from "../src/index.js";
import { startDevWorkloadApi } from "../src/testing/index.js";
import { rejection, useCleanup } from "./helpers.js";

const cleanup = useCleanup();
const API = "spiffe://example.org/api";

async function tempDir(): Promise<string> {
  const dir = await mkdtemp("/tmp/sts-");
  cleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Resolves with the first error passed to the returned listener. */
function firstError() {
  const seen: WorkloadApiError[] = [];
  let resolve!: (e: WorkloadApiError) => void;
  const first = new Promise<WorkloadApiError>((r) => {
    resolve = r;
  });
  const listener = (e: WorkloadApiError) => {
    seen.push(e);
    resolve(e);
  };
  return { seen, first, listener };
}

/** Retries after 1 ms, so attempts pile up without the test waiting on seconds-long backoff. */
const quick: BackoffStrategy = linearBackoff({ stepMs: 1, maxMs: 1 });

describe("a source with no agent at the socket", () => {
  it("reports the first failed attempt at once through the onError option, in our words", async () => {
    const dir = await tempDir();
    const errors = firstError();
    const ac = new AbortController();
    // default backoff (1 s steps) and no timeout: the first report cannot come from a retry or the timer
    const creating = rejection(createX509Source({ address: `unix://${dir}/none.sock`, timeoutMs: Number.POSITIVE_INFINITY, signal: ac.signal, onError: errors.listener }));
    const first = await errors.first;
    expect(first.code).toBe("unreachable");
    expect(first.message).toBe(
      `workload-api: FetchX509SVID failed: no Workload API agent answers at unix:${dir}/none.sock: no socket at ${dir}/none.sock (ENOENT); is the agent running and is the path right?`,
    );
    expect(errors.seen).toHaveLength(1);
    ac.abort();
    expect((await creating).code).toBe("aborted");
  });

  it("times out naming how many attempts failed and the last reason, without grpc-js noise", async () => {
    const dir = await tempDir();
    const errors = firstError();
    const e = await rejection(createX509Source({ address: `unix://${dir}/none.sock`, backoff: quick, timeoutMs: 300, onError: errors.listener }));
    expect(e.code).toBe("timeout");
    const m = /within 300 ms; (\d+) attempts? failed, the last with: (.*)$/.exec(e.message);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBe(errors.seen.length);
    expect(errors.seen.length).toBeGreaterThanOrEqual(1);
    expect(m?.[2]).toBe(
      `FetchX509SVID failed: no Workload API agent answers at unix:${dir}/none.sock: no socket at ${dir}/none.sock (ENOENT); is the agent running and is the path right?`,
    );
    expect(e.message).not.toMatch(/Resolution note|No connection established|Last error/);
    expect(WorkloadApiError.is(e.cause, "unreachable")).toBe(true);
    expect((e.cause as Error).message).not.toMatch(/Resolution note/);
  });

  it("keeps retrying (go-spiffe) and resolves once the agent comes up during the wait", async () => {
    const dir = await tempDir();
    const errors = firstError();
    const creating = createX509Source({ address: `unix://${dir}/agent.sock`, backoff: quick, timeoutMs: 60_000, onError: errors.listener });
    expect((await errors.first).code).toBe("unreachable");
    const agent = await startDevWorkloadApi({ identities: [{ spiffeId: API }], socketPath: `${dir}/agent.sock` });
    cleanup(() => agent.close());
    const source = await creating;
    cleanup(() => source.close());
    expect(source.getX509Svid().id.toString()).toBe(API);
    expect(source.lastError?.code).toBe("unreachable");
  });

  it("waitForAgent: false rejects with the first unreachable error instead of waiting", async () => {
    const dir = await tempDir();
    const errors = firstError();
    const e = await rejection(
      createX509Source({ address: `unix://${dir}/none.sock`, timeoutMs: Number.POSITIVE_INFINITY, waitForAgent: false, onError: errors.listener }),
    );
    expect(e.code).toBe("unreachable");
    expect(e.message).toContain(`no socket at ${dir}/none.sock (ENOENT)`);
    expect(errors.seen).toEqual([e]);

    await writeFile(`${dir}/file.sock`, "x");
    const j = await rejection(createJwtSource({ address: `unix://${dir}/file.sock`, timeoutMs: Number.POSITIVE_INFINITY, waitForAgent: false }));
    expect(j.code).toBe("unreachable");
    expect(j.message).toContain(`${dir}/file.sock exists but is a regular file, not a socket`);
  });

  it("waitForAgent: false still waits through an agent that answers without an identity", async () => {
    const agent = await startDevWorkloadApi({ identities: [] });
    cleanup(() => agent.close());
    const errors = firstError();
    const e = await rejection(createX509Source({ address: agent.address, backoff: quick, timeoutMs: 300, waitForAgent: false, onError: errors.listener }));
    expect(e.code).toBe("timeout");
    expect((await errors.first).code).toBe("no_identity");
    expect(e.message).toMatch(/attempts? failed, the last with: FetchX509SVID refused by the agent: PERMISSION_DENIED "no identity issued"/);
  });

  it("validates waitForAgent and onError on the spot", async () => {
    await expect(createX509Source({ address: "unix:///tmp/x.sock", waitForAgent: "no" as never })).rejects.toMatchObject({ code: "invalid_argument" });
    await expect(createJwtSource({ address: "unix:///tmp/x.sock", onError: 1 as never })).rejects.toMatchObject({ code: "invalid_argument" });
  });
});
