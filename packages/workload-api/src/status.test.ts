import { status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { errorFromStatus } from "./status.js";

describe("errorFromStatus", () => {
  it.each([
    [status.INVALID_ARGUMENT, "security header missing from request", "invalid_argument", /not retried/],
    [status.PERMISSION_DENIED, "no identity issued", "no_identity", /registration entry/],
    [status.UNAVAILABLE, "No connection established. Last error: connect ENOENT /tmp/x.sock", "unreachable", /no Workload API agent answers at unix:\/tmp\/x.sock/],
    [status.UNAVAILABLE, "workload attestation failed", "unavailable", /retrying with backoff/],
    [status.UNIMPLEMENTED, "fetching WIT-SVIDs is not implemented", "unimplemented", /not implemented/],
    [status.CANCELLED, "", "aborted", /cancelled/],
    [status.UNAUTHENTICATED, "could not verify existence of the original caller", "unavailable", /UNAUTHENTICATED/],
  ] as const)("maps %i %j to %s", (code, details, want, message) => {
    const e = errorFromStatus("FetchX509SVID", "unix:/tmp/x.sock", { code, details });
    expect(e.code).toBe(want);
    expect(e.grpcCode).toBe(code);
    expect(e.rpc).toBe("FetchX509SVID");
    expect(e.message).toMatch(message);
    expect(e.message.startsWith("workload-api: FetchX509SVID")).toBe(true);
  });
});
