import { SpiffeError } from "@spike-ts/spiffe";
import { WorkloadApiError } from "./errors.js";

/**
 * Resolves at the next call of a listener in `updates`; rejects on abort, or when `closers` are
 * run (the source closes). Used by the sources' `waitForUpdate()`.
 */
export function waitForNextUpdate(
  what: string,
  updates: Set<() => void>,
  closers: Set<() => void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = () => {
      updates.delete(done);
      closers.delete(onClose);
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      updates.delete(done);
      closers.delete(onClose);
      reject(new WorkloadApiError("aborted", "workload-api: waitForUpdate aborted", { cause: signal?.reason }));
    };
    const onClose = () => {
      updates.delete(done);
      signal?.removeEventListener("abort", onAbort);
      reject(new SpiffeError("source_closed", `${what}: the workload api source was closed while waiting for an update`));
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    updates.add(done);
    closers.add(onClose);
  });
}
