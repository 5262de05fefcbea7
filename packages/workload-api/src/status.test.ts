import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:net";
import { status } from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diagnoseSocketPath, errorFromStatus } from "./status.js";

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

describe("diagnoseSocketPath", () => {
  let dir: string;
  let server: Server | undefined;
  beforeEach(async () => {
    dir = await mkdtemp("/tmp/sts-");
  });
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("names what sits at the path instead of a listening socket", async () => {
    await writeFile(`${dir}/file.sock`, "x");
    await mkdir(`${dir}/dir.sock`);
    await symlink(`${dir}/nowhere`, `${dir}/link.sock`);
    server = createServer();
    await new Promise<void>((r) => server?.listen(`${dir}/live.sock`, r));
    const refused = "No connection established. Last error: connect ECONNREFUSED";
    expect(diagnoseSocketPath(`${dir}/file.sock`, refused)).toMatch(/exists but is a regular file, not a socket/);
    expect(diagnoseSocketPath(`${dir}/dir.sock`, refused)).toMatch(/exists but is a directory, not a socket/);
    expect(diagnoseSocketPath(`${dir}/link.sock`, refused)).toMatch(/exists but is a symbolic link/);
    expect(diagnoseSocketPath(`${dir}/missing.sock`, "connect ENOENT")).toBe(`there is no socket at ${dir}/missing.sock; is the agent running and is the path right?`);
    expect(diagnoseSocketPath(`${dir}/no/such/dir.sock`, "connect ENOENT")).toMatch(/its directory .*\/no\/such does not exist/);
    expect(diagnoseSocketPath(`${dir}/live.sock`, refused)).toMatch(/is a socket but nothing listens on it/);
    expect(diagnoseSocketPath(`${dir}/live.sock`, "connect EACCES")).toMatch(/may not open .*permission denied/);
    expect(diagnoseSocketPath(`${dir}/live.sock`, "connect ECONNRESET")).toBeUndefined();
  });

  it("puts the diagnosis into the unreachable error", () => {
    const e = errorFromStatus("FetchX509SVID", `unix:${dir}`, { code: status.UNAVAILABLE, details: "connect ECONNREFUSED" }, undefined, dir);
    expect(e.code).toBe("unreachable");
    expect(e.message).toBe(
      `workload-api: FetchX509SVID failed: no Workload API agent answers at unix:${dir} (UNAVAILABLE "connect ECONNREFUSED"); ${dir} exists but is a directory, not a socket; was the agent's socket replaced, or is the address wrong?`,
    );
  });
});
