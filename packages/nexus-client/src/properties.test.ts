import fc from "fast-check";
import { validateSecretPath } from "@spike-ts/nexus-model";
import { describe, expect, it } from "vitest";
import { useMockNexus } from "../test/client-setup.js";
import type { MockNexus } from "../test/mock-nexus.js";
import type { NexusClient } from "./client.js";
import { NexusError } from "./errors.js";

let nexus: MockNexus;
let client: NexusClient;

useMockNexus((s) => ({ nexus, client } = s), { retry: false });

const pathChars = [..."abcXYZ019._-/()?+*|[]{}\\"];
const validPath = fc.array(fc.constantFrom(...pathChars), { minLength: 1, maxLength: 40 }).map((a) => a.join(""));
const keyChars = [..."abzAZ09-_ "];
const validKey = fc.array(fc.constantFrom(...keyChars), { minLength: 1, maxLength: 12 }).map((a) => a.join(""));
const anyValue = fc.string({ unit: "grapheme", maxLength: 30 });

describe("properties", () => {
  it("a put sends exactly the path and values given, unicode included", async () => {
    await fc.assert(
      fc.asyncProperty(validPath, fc.dictionary(validKey, anyValue, { minKeys: 1, maxKeys: 5 }), async (path, values) => {
        nexus.seen.length = 0;
        nexus.on("/v1/store/secrets", { status: 200, json: {} });
        await client.putSecret(path, values);
        expect(nexus.seen).toHaveLength(1);
        expect(JSON.parse(nexus.seen[0]?.text ?? "")).toEqual({ path, values });
      }),
      { numRuns: 60 },
    );
  });

  it("any string the model refuses as a path is refused before sending", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 20 }), async (path) => {
        fc.pre(validateSecretPath(path) !== undefined);
        nexus.seen.length = 0;
        try {
          await client.getSecret(path);
          throw new Error("expected a refusal");
        } catch (e) {
          expect(NexusError.is(e, "invalid_input")).toBe(true);
        }
        expect(nexus.seen).toHaveLength(0);
      }),
      { numRuns: 100 },
    );
  });

  it("a get returns exactly the data Nexus sent", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(validKey, anyValue, { maxKeys: 5 }), async (data) => {
        nexus.on("/v1/store/secrets?action=get", { status: 200, json: { data } });
        expect(await client.getSecret("a")).toEqual(data);
      }),
      { numRuns: 60 },
    );
  });
});
