import { PassThrough } from "node:stream";
import { NexusError, Secret, type Policy, type PolicySpec, type SpikeClient, type SpikeClientOptions } from "@spike-ts/sdk";
import { describe, expect, it } from "vitest";
import type { CliIo } from "./context.js";
import { runCli } from "./run.js";

const PILOT = "spiffe://spike.ist/spike/pilot/role/superuser";

interface Fake {
  readonly calls: string[];
  readonly policies: Map<string, PolicySpec>;
  readonly secrets: Map<string, Record<string, string>>;
  closed: number;
  client: SpikeClient;
}

function fakeClient(spiffeId = PILOT): Fake {
  const fake: Fake = { calls: [], policies: new Map(), secrets: new Map(), closed: 0, client: undefined as unknown as SpikeClient };
  const notFound = (): Error => new NexusError("not_found", "nexus: not found");
  const client: Partial<SpikeClient> = {
    spiffeId,
    async putSecret(path, values) {
      fake.calls.push(`put ${path}`);
      fake.secrets.set(path, { ...values });
    },
    async getSecret(path) {
      fake.calls.push(`get ${path}`);
      const s = fake.secrets.get(path);
      if (!s) throw notFound();
      return new Secret(path, s);
    },
    async listSecretKeys() {
      return [...fake.secrets.keys()].sort();
    },
    async createPolicy(spec) {
      fake.calls.push(`createPolicy ${spec.name}`);
      fake.policies.set(spec.name, spec);
    },
    async listPolicies() {
      fake.calls.push("listPolicies");
      return [...fake.policies.keys()].map((name) => ({ name }));
    },
    async getPolicy(name) {
      const p = fake.policies.get(name);
      if (!p) throw notFound();
      return { ...p, createdAt: new Date("2026-01-01T00:00:00Z"), updatedAt: undefined } as Policy;
    },
    async deletePolicy(name) {
      fake.calls.push(`deletePolicy ${name}`);
      fake.policies.delete(name);
    },
    async encrypt(plaintext) {
      fake.calls.push(`encrypt ${Buffer.from(plaintext).toString()}`);
      return Uint8Array.from([1, ...new Uint8Array(12), ...Buffer.from(plaintext), ...new Uint8Array(16)]);
    },
    async encryptJson(plaintext) {
      fake.calls.push(`encryptJson ${Buffer.from(plaintext).toString()}`);
      return { version: 1, nonce: new Uint8Array(12).fill(7), ciphertext: Buffer.from("sealed") };
    },
    async decrypt(blob) {
      fake.calls.push(`decrypt ${blob.length}`);
      return Buffer.from("from-blob");
    },
    async decryptJson(data) {
      fake.calls.push(`decryptJson v${data.version} ${data.nonce.length} ${Buffer.from(data.ciphertext).toString()}`);
      return Buffer.from("from-json");
    },
    async close() {
      fake.closed++;
    },
  };
  fake.client = client as SpikeClient;
  return fake;
}

async function run(argv: string[], options: { fake?: Fake; stdin?: string; tty?: boolean; env?: Record<string, string>; realConnect?: boolean } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  stdin.end(options.stdin ?? "");
  const fake = options.fake;
  const io: CliIo = {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    ...(options.realConnect
      ? {}
      : {
          connect: async (_o: SpikeClientOptions) => {
            if (!fake) throw new Error("this test must not connect");
            return fake.client;
          },
        }),
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe("runCli configuration errors and doctor", () => {
  it("exits 2 with Invalid configuration for a malformed SPIFFE_ENDPOINT_SOCKET", async () => {
    for (const socket of ["/tmp/x.sock", "http://127.0.0.1:1"]) {
      const r = await run(["secret", "list"], { env: { SPIFFE_ENDPOINT_SOCKET: socket }, realConnect: true });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^Error: Invalid configuration\.\n/);
      expect(r.err).toContain("what to do: set SPIFFE_ENDPOINT_SOCKET to unix:///");
    }
  });

  it("suggests the command for a misspelt group", async () => {
    const r = await run(["secrt", "list"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("did you mean secret?");
  });

  it("doctor --json reports the same checks whatever fails, and no fix on passing ones", async () => {
    type Report = { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }> };
    const badUrl = await run(["doctor", "--json"], { env: { SPIKE_NEXUS_API_URL: "http://127.0.0.1:1", SPIFFE_ENDPOINT_SOCKET: "/tmp/x.sock" } });
    const badSocket = await run(["doctor", "--json"], { env: { SPIFFE_ENDPOINT_SOCKET: "/tmp/x.sock" } });
    const a = JSON.parse(badUrl.out) as Report;
    const b = JSON.parse(badSocket.out) as Report;
    const names = ["config", "workload api", "svid", "role", "bundle", "nexus url", "nexus id", "test call"];
    expect(a.checks.map((c) => c.name)).toEqual(names);
    expect(b.checks.map((c) => c.name)).toEqual(names);
    expect(b.checks.filter((c) => c.ok).map((c) => c.name)).toEqual(["config", "nexus url"]);
    for (const c of [...a.checks, ...b.checks]) {
      if (c.ok) expect(c).not.toHaveProperty("fix");
      else expect(c.fix).toEqual(expect.any(String));
    }
    expect(badUrl.err).toContain(`of ${names.length} doctor checks failed`);
    expect(badSocket.err).toContain(`6 of ${names.length} doctor checks failed`);
  });
});

describe("runCli cipher modes", () => {
  it("sends JSON-mode flags through the SDK's JSON mode, and piped data as a stream", async () => {
    const fake = fakeClient();
    const enc = await run(["cipher", "encrypt", "--plaintext", Buffer.from("hi").toString("base64")], { fake });
    expect(enc.code).toBe(0);
    expect(JSON.parse(enc.out)).toEqual({ version: 1, nonce: Buffer.alloc(12, 7).toString("base64"), ciphertext: Buffer.from("sealed").toString("base64") });
    const encJson = await run(["cipher", "encrypt", "--json"], { fake, stdin: "piped" });
    expect(encJson.code).toBe(0);
    const stream = await run(["cipher", "encrypt"], { fake, stdin: "raw" });
    expect(stream.code).toBe(0);
    const nonce = Buffer.alloc(12, 1).toString("base64");
    const dec = await run(["cipher", "decrypt", "--version", "1", "--nonce", nonce, "--ciphertext", Buffer.from("sealed").toString("base64")], { fake });
    expect(dec.out).toBe("from-json");
    const decBlob = await run(["cipher", "decrypt"], { fake, stdin: `\x01${"n".repeat(12)}${"c".repeat(16)}` });
    expect(decBlob.out).toBe("from-blob");
    expect(fake.calls).toEqual(["encryptJson hi", "encryptJson piped", "encrypt raw", "decryptJson v1 12 sealed", "decrypt 29"]);
  });
});

describe("runCli", () => {
  it("prints help with exit 0 and never connects", async () => {
    const r = await run(["secret", "put", "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage:\n  spike secret put <path> <key=value>... [flags]");
    expect(r.out).toContain("Examples:\n  spike secret put tenants/demo/db username=app password=s3cr3t");
  });

  it("exits 2 on a bad path without connecting", async () => {
    const r = await run(["secret", "get", "bad path"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^Error: Invalid secret path\.\n  spike: secret path "bad path" has the character " " at index 3/);
  });

  it("exits 2 on a key with a dot, naming the key but not the value", async () => {
    const r = await run(["secret", "put", "a/b", "db.password=hunter2"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('key name "db.password"');
    expect(r.err).not.toContain("hunter2");
  });

  it("puts a secret, prints OK and never the values, and closes the client", async () => {
    const fake = fakeClient();
    const r = await run(["secret", "put", "a/b", "password=hunter2"], { fake });
    expect(r).toEqual({ code: 0, out: "OK\n", err: "" });
    expect(fake.secrets.get("a/b")).toEqual({ password: "hunter2" });
    expect(fake.closed).toBe(1);
    const j = await run(["secret", "put", "a/b", "password=hunter2", "--json"], { fake });
    expect(JSON.parse(j.out)).toEqual({ ok: true, path: "a/b", keys: ["password"] });
    expect(j.out).not.toContain("hunter2");
  });

  it("refuses an identity that is not the pilot superuser with exit 1", async () => {
    const fake = fakeClient("spiffe://spike.ist/demo/app");
    const r = await run(["secret", "list"], { fake });
    expect(r.code).toBe(1);
    expect(r.err).toContain("Error: You need a 'pilot' SPIFFE ID to use this command.");
    expect(fake.closed).toBe(1);
  });

  it("maps a typed not_found to exit 1 with Pilot's wording, as JSON too", async () => {
    const fake = fakeClient();
    const r = await run(["secret", "get", "a/missing"], { fake });
    expect(r.code).toBe(1);
    expect(r.err).toBe("Error: Resource not found.\n  nexus: not found\n");
    const j = await run(["secret", "get", "a/missing", "--json"], { fake });
    expect(JSON.parse(j.err)).toEqual({ error: { code: "not_found", layer: "nexus", exitCode: 1, summary: "Resource not found.", message: "nexus: not found" } });
  });

  it("creates a policy once and refuses the same name", async () => {
    const fake = fakeClient();
    const args = ["policy", "create", "p1", "--spiffe-id-pattern", "^spiffe://spike\\.ist/app$", "--path-pattern", "^apps/", "--permissions", "read, write"];
    expect(await run(args, { fake })).toEqual({ code: 0, out: "Policy created successfully.\n", err: "" });
    expect(fake.policies.get("p1")).toEqual({ name: "p1", spiffeIdPattern: "^spiffe://spike\\.ist/app$", pathPattern: "^apps/", permissions: ["read", "write"] });
    const again = await run(args, { fake });
    expect(again.code).toBe(1);
    expect(again.err).toContain("Error: Policy 'p1' already exists.");
  });

  it("refuses a policy that touches a reserved path before sending (exit 2)", async () => {
    const fake = fakeClient();
    const r = await run(["policy", "create", "--name", "all", "--spiffeid-pattern", "spiffe://spike\\.ist/app", "--path-pattern", ".*", "--permissions", "read"], { fake });
    expect(r.code).toBe(2);
    expect(r.err).toContain("reserved path");
    expect(fake.calls).toEqual([]);
  });

  it("asks before deleting a policy on a terminal; only y deletes", async () => {
    const fake = fakeClient();
    fake.policies.set("p1", { name: "p1", spiffeIdPattern: "^spiffe://x$", pathPattern: "^a/", permissions: ["read"] });
    const no = await run(["policy", "delete", "p1"], { fake, tty: true, stdin: "n\n" });
    expect(no.code).toBe(1);
    expect(no.err).toBe("Are you sure you want to delete policy 'p1'? (y/N): Error: Operation canceled.\n  spike: the policy was not deleted\n");
    expect(fake.policies.has("p1")).toBe(true);
    const yes = await run(["policy", "delete", "p1"], { fake, tty: true, stdin: "y\n" });
    expect(yes).toMatchObject({ code: 0, out: "Policy deleted successfully.\n" });
    expect(fake.policies.has("p1")).toBe(false);
  });

  it("never reads an answer from a non-terminal stdin: --yes or exit 2", async () => {
    const fake = fakeClient();
    fake.policies.set("p1", { name: "p1", spiffeIdPattern: "^spiffe://x$", pathPattern: "^a/", permissions: ["read"] });
    const r = await run(["policy", "delete", "p1"], { fake, tty: false, stdin: "y\n" });
    expect(r.code).toBe(2);
    expect(r.err).toContain("Error: Confirmation required.");
    expect(fake.policies.has("p1")).toBe(true);
    expect(fake.calls).toEqual([]);
    const y = await run(["policy", "delete", "--name", "p1", "--yes"], { fake });
    expect(y.code).toBe(0);
    expect(fake.calls).toEqual(["listPolicies", "deletePolicy p1"]);
  });

  it("prints a usage error as JSON on stderr with --json", async () => {
    const r = await run(["policy", "list", "--path-pattern", "a", "--spiffeid-pattern", "b", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.err).error).toMatchObject({ code: "usage", layer: "cli", exitCode: 2 });
  });
});
