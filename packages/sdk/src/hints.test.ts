import { MtlsError } from "@spike-ts/mtls-transport";
import { NexusError } from "@spike-ts/nexus-client";
import { describe, expect, it } from "vitest";
import { rewordForSdk, withDeletedVersions } from "./hints.js";

const lite = " (lite workloads may only encrypt and decrypt)";

describe("rewordForSdk", () => {
  it("gives a cipher refusal a cipher hint, keeping class, code and fields", () => {
    const original = new NexusError(
      "unauthorized",
      `nexus: cipher.encrypt was refused for spiffe://t/app (401 api_unauthorized); give spiffe://t/app a policy granting execute on spike/system/cipher/exec, or call as the pilot superuser${lite}`,
      { operation: "cipher.encrypt", status: 401, serverCode: "api_unauthorized", callerId: "spiffe://t/app", attempts: 1 },
    );
    const e = rewordForSdk(original) as NexusError;
    expect(NexusError.is(e, "unauthorized")).toBe(true);
    expect(e.message).toBe(
      "nexus: cipher.encrypt was refused for spiffe://t/app (401 api_unauthorized); give spiffe://t/app a policy granting execute on spike/system/cipher/exec, or run it with a lite-workload or pilot superuser SVID",
    );
    expect(e.message).not.toContain("may only encrypt");
    expect(e).toMatchObject({ operation: "cipher.encrypt", status: 401, serverCode: "api_unauthorized", callerId: "spiffe://t/app", attempts: 1 });
    expect(e.cause).toBe(original);
  });

  it("keeps the lite-workload note on a secret refusal, in SDK words", () => {
    const original = new NexusError("unauthorized", `nexus: secret.get on a/b was refused for x (401); give x a policy granting read on a/b, or call as the pilot superuser${lite}`, {
      operation: "secret.get",
    });
    const e = rewordForSdk(original) as NexusError;
    expect(e.message).toBe(
      "nexus: secret.get on a/b was refused for x (401); give x a policy granting read on a/b, or call as the pilot superuser (a lite-workload SVID may only encrypt and decrypt)",
    );
  });

  it("replaces the requireClientAuth advice, which is not an SDK option", () => {
    const original = new MtlsError(
      "client_auth_not_requested",
      "mtls: the server at 127.0.0.1:8553 did not request a client certificate, so it cannot authenticate us; configure it for mutual tls (or set requireClientAuth: false)",
      { role: "client", address: "127.0.0.1:8553", peerId: "spiffe://t/spike/nexus" },
    );
    const e = rewordForSdk(original) as MtlsError;
    expect(MtlsError.is(e, "client_auth_not_requested")).toBe(true);
    expect(e.message).not.toContain("requireClientAuth");
    expect(e.message).toContain("SPIKE_NEXUS_API_URL");
    expect(e).toMatchObject({ role: "client", address: "127.0.0.1:8553", peerId: "spiffe://t/spike/nexus" });
    expect(e.cause).toBe(original);
  });

  it("leaves other errors alone", () => {
    const other = new NexusError("not_found", "nexus: secret.get on a found nothing (404)");
    expect(rewordForSdk(other)).toBe(other);
    const plain = new Error("x");
    expect(rewordForSdk(plain)).toBe(plain);
  });
});

describe("withDeletedVersions", () => {
  const notFound = new NexusError("not_found", "nexus: nothing to undelete for a/b (404); name the deleted version explicitly", {
    operation: "secret.undelete",
    target: "a/b",
    status: 404,
  });
  const at = new Date(0);

  it("lists the deleted versions seen in metadata", () => {
    const e = withDeletedVersions(notFound, {
      currentVersion: 3,
      oldestVersion: 1,
      createdTime: at,
      updatedTime: at,
      maxVersions: 10,
      versions: [
        { version: 1, createdTime: at, deletedTime: at },
        { version: 2, createdTime: at, deletedTime: at },
        { version: 3, createdTime: at, deletedTime: undefined },
      ],
    });
    expect(e.message).toBe(
      "nexus: nothing to undelete for a/b (404); name the deleted version explicitly; deleted versions in metadata: 1, 2 (pass them as versions: [1, 2])",
    );
    expect(e).toMatchObject({ code: "not_found", operation: "secret.undelete", target: "a/b", status: 404 });
  });

  it("says when metadata shows none", () => {
    const e = withDeletedVersions(notFound, { currentVersion: 1, oldestVersion: 1, createdTime: at, updatedTime: at, maxVersions: 10, versions: [{ version: 1, createdTime: at, deletedTime: undefined }] });
    expect(e.message).toContain("metadata shows no deleted version of a/b");
  });
});
