import { describe, expect, it } from "vitest";
import { caught, useMockNexus } from "../test/client-setup.js";
import { mockNexus, type MockNexus } from "../test/mock-nexus.js";
import { createNexusClient, type NexusClient } from "./client.js";
import { NexusError } from "./errors.js";

let nexus: MockNexus;
let client: NexusClient;

useMockNexus((s) => ({ nexus, client } = s), { retry: false, callerId: () => "spiffe://example.org/web" });

describe("status mapping", () => {
  it.each([
    [400, "api_bad_request", "bad_request"],
    [401, "access_unauthorized", "unauthorized"],
    [404, "api_not_found", "not_found"],
    [500, "api_internal_error", "internal"],
    [503, "state_not_ready", "not_ready"],
    [403, undefined, "bad_response"],
    [502, undefined, "bad_response"],
  ] as const)("%i %s -> %s", async (status, err, code) => {
    nexus.on("/v1/store/secrets?action=get", err ? { status, json: { err } } : { status, text: "<html>nope</html>", contentType: "text/html" });
    const e = await caught(client.getSecret("apps/web/db"));
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(e.serverCode).toBe(err);
    expect(e.operation).toBe("secret.get");
    expect(e.attempts).toBe(1);
    expect(e.message).not.toContain("<html>");
  });

  it("names the operation, path, caller and the permission needed on 401", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 401, json: { err: "access_unauthorized" } });
    const e = await caught(client.getSecret("apps/web/db"));
    expect(e.message).toBe(
      "nexus: secret.get on apps/web/db was refused for spiffe://example.org/web (401 access_unauthorized); give spiffe://example.org/web a policy granting read on apps/web/db, or call as the pilot superuser (lite workloads may only encrypt and decrypt)",
    );
    expect(e.callerId).toBe("spiffe://example.org/web");
    expect(e.target).toBe("apps/web/db");
  });

  it("points at the reserved resource for list, policies and cipher", async () => {
    nexus.on("/v1/store/secrets?action=list", { status: 401, json: { err: "access_unauthorized" } });
    nexus.on("/v1/acl/policy?action=list", { status: 401, json: { err: "access_unauthorized" } });
    nexus.on("/v1/cipher/encrypt", { status: 401, json: { err: "access_unauthorized" } });
    expect((await caught(client.listSecrets())).message).toContain("a policy granting list on spike/system/secret");
    expect((await caught(client.listPolicies())).message).toContain("a policy granting list on spike/system/acl");
    expect((await caught(client.encrypt("x"))).message).toContain("a policy granting execute on spike/system/cipher/exec");
  });

  it("names the role for operator calls and works without a caller ID", async () => {
    const anon = createNexusClient({ baseUrl: "https://nexus.test", dispatcher: nexus.agent, retry: false });
    nexus.on("/v1/operator/recover", { status: 401, json: { err: "access_unauthorized" } });
    const e = await caught(anon.recover());
    expect(e.message).toBe(
      "nexus: operator.recover was refused for this caller (401 access_unauthorized); only the recover role (spiffe://<trust domain>/spike/pilot/role/recover) may call it",
    );
    expect(e.callerId).toBeUndefined();
    await anon.close();
  });

  it("a throwing callerId function does not break the call", async () => {
    const c = createNexusClient({
      baseUrl: "https://nexus.test",
      dispatcher: nexus.agent,
      callerId: () => {
        throw new Error("source closed");
      },
    });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data: { a: "b" } } });
    expect(await c.getSecret("a")).toEqual({ a: "b" });
    await c.close();
  });

  it("explains a policy.put 500", async () => {
    nexus.on("/v1/acl/policy", { status: 500, json: { err: "api_internal_error" } });
    const raw = createNexusClient({ baseUrl: "https://nexus.test", dispatcher: nexus.agent, validateInput: false, retry: false });
    const e = await caught(raw.putPolicy({ name: "p", spiffeIdPattern: "^spiffe://a.org/x$", pathPattern: "secret", permissions: ["read"] }));
    expect(e.code).toBe("internal");
    expect(e.message).toContain("usually a pattern that is not go re2 or a policy that touches a reserved spike/system path");
    await raw.close();
  });

  it("reads the SDKError shape Nexus sends when the body could not be read", async () => {
    nexus.on("/v1/store/secrets", { status: 400, json: { Code: "data_read_failure", Msg: "failed to read request body", Wrapped: null } });
    const e = await caught(client.putSecret("a", { k: "s3cr3t" }));
    expect(e.code).toBe("bad_request");
    expect(e.serverCode).toBe("data_read_failure");
    expect(e.message).not.toContain("s3cr3t");
  });

  it("maps a 200 that carries err (dormant in Nexus, supported anyway)", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { err: "api_not_found" } });
    nexus.on("/v1/store/secrets?action=get", { status: 200, json: { err: "entity_invalid" } });
    const a = await caught(client.getSecret("a"));
    expect([a.code, a.status, a.serverCode]).toEqual(["not_found", 404, "api_not_found"]);
    const b = await caught(client.getSecret("a"));
    expect([b.code, b.status, b.serverCode]).toEqual(["internal", 200, "entity_invalid"]);
  });

  it("a 200 that is not JSON is bad_response, without the body in the message", async () => {
    nexus.on("/v1/store/secrets?action=get", { status: 200, text: "hunter2-secret", contentType: "application/json" });
    const e = await caught(client.getSecret("a"));
    expect(e.code).toBe("bad_response");
    expect(e.message).toBe("nexus: secret.get answered 200 with a body that is not json; check that the base url points at nexus");
    expect(String((e.cause as Error | undefined)?.message)).not.toContain("hunter2");
  });

  it("never carries secret values in messages of any error", async () => {
    nexus.on("/v1/store/secrets", { status: 500, json: { err: "api_internal_error" } });
    const e = await caught(client.putSecret("apps/web/db", { password: "s3cr3t-pw" }));
    expect(e.message).not.toContain("s3cr3t-pw");
    expect(JSON.stringify(e)).not.toContain("s3cr3t-pw");
  });
});

describe("NexusError", () => {
  it("is() checks the brand and the code", () => {
    const e = new NexusError("not_found", "nexus: x", { status: 404 });
    expect(NexusError.is(e)).toBe(true);
    expect(NexusError.is(e, "not_found")).toBe(true);
    expect(NexusError.is(e, "internal")).toBe(false);
    expect(NexusError.is(new Error("x"))).toBe(false);
    expect(NexusError.is(null)).toBe(false);
    // a copy from a duplicate install carries the same registered symbol
    const foreign = { [Symbol.for("@spike-ts/nexus-client.error")]: true, code: "timeout" };
    expect(NexusError.is(foreign, "timeout")).toBe(true);
    expect(e.name).toBe("NexusError");
    expect(e.attempts).toBe(0);
  });
});

describe("createNexusClient options", () => {
  it("a baseUrl function is read for every request", async () => {
    let base = "https://nexus.test";
    const other = mockNexus("https://other.test");
    const c = createNexusClient({ baseUrl: () => base, dispatcher: nexus.agent, retry: false });
    const d = createNexusClient({ baseUrl: () => base, dispatcher: other.agent, retry: false });
    nexus.on("/v1/store/secrets?action=list", { status: 200, json: { keys: ["a"] } });
    expect(await c.listSecrets()).toEqual(["a"]);
    base = "https://other.test/p";
    other.on("/p/v1/store/secrets?action=list", { status: 200, json: { keys: ["b"] } });
    expect(await d.listSecrets()).toEqual(["b"]);
    base = "ftp://x";
    const e = await caught(d.listSecrets());
    expect(e.code).toBe("invalid_input");
    expect(e.message).toBe("nexus: base url scheme ftp: is not supported; use https:");
    await c.close();
    await d.close();
    await other.close();
  });

  it.each([
    [{ baseUrl: "localhost:8553" }, "nexus: base url scheme localhost: is not supported; use https:"],
    [{ baseUrl: "https://user:pw@h" }, "nexus: base url must not carry credentials; nexus authenticates with mTLS"],
    [{ dispatcher: {} }, "nexus: dispatcher must be an undici Dispatcher (an Agent, a MockAgent, or createMtlsAgent(...))"],
    [{ retry: { maxAttempts: 0 } }, "nexus: retry.maxAttempts must be an integer >= 1"],
    [{ timeoutMs: -1 }, "nexus: timeoutMs must be a positive number of milliseconds"],
    [{ maxCipherBytes: 0 }, "nexus: maxCipherBytes must be a positive integer"],
    [{ callerId: 5 }, "nexus: callerId must be a string or a function"],
  ])("refuses %j", (bad, message) => {
    const make = () => createNexusClient({ baseUrl: "https://nexus.test", dispatcher: nexus.agent, ...(bad as object) });
    expect(make).toThrow(message);
    try {
      make();
    } catch (e) {
      expect(NexusError.is(e, "invalid_input")).toBe(true);
    }
  });
});
