import { SpiffeError, type SpiffeErrorCode } from "../src/errors.js";

/**
 * Runs `fn` and returns the code of the {@link SpiffeError} it throws, or `null` when it
 * returns; any other error is rethrown, so a test cannot mistake a crash for a refusal.
 */
export function codeOf(fn: () => unknown): SpiffeErrorCode | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!SpiffeError.is(e)) throw e;
    return e.code;
  }
}
