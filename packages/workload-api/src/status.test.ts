import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:net";
import { status } from "@grpc/grpc-js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanTransportDetails, diagnoseSocketPath, errorFromStatus, transportErrno } from "./status.js";

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
    expect(diagnoseSocketPath(`${dir}/missing.sock`, "connect ENOENT")).toBe(`no socket at ${dir}/missing.sock (ENOENT); is the agent running and is the path right?`);
    expect(diagnoseSocketPath(`${dir}/no/such/dir.sock`, "connect ENOENT")).toMatch(/its directory .*\/no\/such does not exist/);
    expect(diagnoseSocketPath(`${dir}/live.sock`, refused)).toMatch(/is a socket but nothing listens on it \(ECONNREFUSED\)/);
    expect(diagnoseSocketPath(`${dir}/live.sock`, "connect EACCES")).toBe(`permission denied opening ${dir}/live.sock (EACCES); check the socket's mode and its directories`);
    expect(diagnoseSocketPath(`${dir}/live.sock`, "connect ECONNRESET")).toBeUndefined();
  });

  it("puts the diagnosis into the unreachable error", () => {
    const e = errorFromStatus("FetchX509SVID", `unix:${dir}`, { code: status.UNAVAILABLE, details: "connect ECONNREFUSED" }, undefined, dir);
    expect(e.code).toBe("unreachable");
    expect(e.message).toBe(
      `workload-api: FetchX509SVID failed: no Workload API agent answers at unix:${dir}: ${dir} exists but is a directory, not a socket (ECONNREFUSED); was the agent's socket replaced, or is the address wrong?`,
    );
  });

  it("says what is missing in our words, without grpc-js framing (the text grpc-js 1.x sends)", () => {
    const details = `No connection established. Last error: Error: connect ENOENT ${dir}/nope.sock. Resolution note: `;
    const e = errorFromStatus("FetchX509SVID", `unix:${dir}/nope.sock`, { code: status.UNAVAILABLE, details }, undefined, `${dir}/nope.sock`);
    expect(e.code).toBe("unreachable");
    expect(e.message).toBe(
      `workload-api: FetchX509SVID failed: no Workload API agent answers at unix:${dir}/nope.sock: no socket at ${dir}/nope.sock (ENOENT); is the agent running and is the path right?`,
    );
    expect(e.message).not.toMatch(/Resolution note|No connection established|Error:/);
  });

  it("names the errno for a tcp address it cannot inspect", () => {
    const details = "No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ";
    const e = errorFromStatus("FetchX509SVID", "127.0.0.1:1", { code: status.UNAVAILABLE, details });
    expect(e.message).toBe(
      "workload-api: FetchX509SVID failed: no Workload API agent answers at 127.0.0.1:1: connect ECONNREFUSED; is the agent running, is the address right, and may this user open the socket?",
    );
  });
});

describe("transport details", () => {
  it("strips grpc-js framing and keeps the reason", () => {
    expect(cleanTransportDetails("No connection established. Last error: Error: connect ENOENT /tmp/x.sock. Resolution note: ")).toBe("connect ENOENT /tmp/x.sock");
    expect(cleanTransportDetails("Failed to connect before the deadline. Last error: Error: read ECONNRESET")).toBe("read ECONNRESET");
    expect(cleanTransportDetails("workload attestation failed")).toBe("workload attestation failed");
    expect(transportErrno("Last error: Error: connect EACCES /p")).toBe("EACCES");
    expect(transportErrno("no identity issued")).toBeUndefined();
  });

  it("keeps other UNAVAILABLE reasons but drops the framing", () => {
    const e = errorFromStatus("FetchJWTBundles", "unix:/tmp/x.sock", { code: status.UNAVAILABLE, details: "Last error: Error: stream reset. Resolution note: " });
    expect(e.code).toBe("unavailable");
    expect(e.message).toBe('workload-api: FetchJWTBundles failed: the agent is unavailable: UNAVAILABLE "stream reset"; retrying with backoff');
  });
});
