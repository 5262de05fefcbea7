import { describe, expect, it } from "vitest";
import { caught, useMockNexus } from "../test/client-setup.js";
import type { MockNexus } from "../test/mock-nexus.js";
import type { NexusClient } from "./client.js";

let nexus: MockNexus;
let client: NexusClient;

useMockNexus((s) => ({ nexus, client } = s), { retry: false });

const shard = (seed: number) => Array.from({ length: 32 }, (_, i) => (i * seed + 1) % 256);

describe("operator", () => {
  it("recover sends {} and returns shards sorted by index", async () => {
    nexus.on("/v1/operator/recover", { status: 200, json: { shards: { "2": shard(2), "1": shard(1), "3": shard(3) } } });
    const out = await client.recover();
    expect(nexus.seen[0]?.text).toBe("{}");
    expect(out.map((s) => s.index)).toEqual([1, 2, 3]);
    expect([...(out[1]?.shard ?? [])]).toEqual(shard(2));
  });

  for (const key of [" 1", "1.0", "01", "1e0", "0", "-1", ""]) {
    it(`recover refuses the shard key ${JSON.stringify(key)} (it would alias or fake an index)`, async () => {
      nexus.on("/v1/operator/recover", { status: 200, json: { shards: { "1": shard(1), [key]: shard(2) } } });
      const e = await caught(client.recover());
      expect(e.code).toBe("bad_response");
      expect(e.message).toContain("is not an index");
    });
  }

  it("recover on a memory backend is Nexus's 400", async () => {
    nexus.on("/v1/operator/recover", { status: 400, json: { err: "api_bad_request" } });
    const e = await caught(client.recover());
    expect(e.code).toBe("bad_request");
    expect(e.message).toContain("a memory-backend nexus has no root key to recover or restore");
  });

  it("recover refuses malformed shards", async () => {
    nexus.on("/v1/operator/recover", { status: 200, json: { shards: { "1": [1, 2, 3] } } });
    expect((await caught(client.recover())).code).toBe("bad_response");
  });

  it("restore sends id and 32 numbers and reads the status", async () => {
    nexus.on("/v1/operator/restore", { status: 200, json: { collected: 1, remaining: 1, restored: false } });
    const s = await client.restore(1, Uint8Array.from(shard(5)));
    expect(JSON.parse(nexus.seen[0]?.text ?? "")).toEqual({ id: 1, shard: shard(5) });
    expect(s).toEqual({ collected: 1, remaining: 1, restored: false });
  });

  it("restore refuses a bad index or shard without echoing bytes", async () => {
    expect((await caught(client.restore(0, Uint8Array.from(shard(1))))).message).toBe("nexus: shard index 0 is outside 1..1000");
    expect((await caught(client.restore(1, new Uint8Array(32)))).message).toBe("nexus: recovery shard is all zero; nexus refuses it");
    expect((await caught(client.restore(1, new Uint8Array(31).fill(7)))).message).toBe("nexus: a recovery shard has 32 bytes, got 31");
    expect(nexus.seen).toHaveLength(0);
  });

  it("verifyBootstrap sends base64 and returns the hash", async () => {
    const hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    nexus.on("/v1/bootstrap/verify", { status: 200, json: { hash } });
    const nonce = new Uint8Array(12).fill(1);
    expect(await client.verifyBootstrap({ nonce, ciphertext: Uint8Array.from([1, 2, 3]) })).toBe(hash);
    expect(JSON.parse(nexus.seen[0]?.text ?? "")).toEqual({ nonce: "AQEBAQEBAQEBAQEB", ciphertext: "AQID" });
    expect((await caught(client.verifyBootstrap({ nonce: new Uint8Array(3), ciphertext: new Uint8Array(1) }))).code).toBe("invalid_input");
  });
});
