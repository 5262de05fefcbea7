// Property tests: the Go JSON parser agrees with JSON.parse on every JSON text, and random
// put/delete/undelete sequences keep the §5.4 invariants.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type GoJsonValue, parseGoJson } from "./go-json.js";
import { deleteSecretVersions, putSecretVersion, readableVersion, type SecretRecord, undeleteSecretVersions } from "./secret-record.js";

function plain(v: GoJsonValue): unknown {
  switch (v.kind) {
    case "null": return null;
    case "bool": return v.value;
    case "number": return Number(v.text);
    case "string": return v.value;
    case "array": return v.items.map(plain);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, x] of v.entries) Object.defineProperty(out, k, { value: plain(x), enumerable: true, writable: true, configurable: true });
      return out;
    }
  }
}

describe("parseGoJson", () => {
  it("reads every JSON text as JSON.parse does (well-formed strings)", () => {
    fc.assert(
      fc.property(fc.json({ depthSize: "small" }), (text) => {
        expect(plain(parseGoJson(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses what JSON.parse refuses", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        let ok = true;
        try {
          JSON.parse(text);
        } catch {
          ok = false;
        }
        if (!ok) expect(() => parseGoJson(text)).toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

type Op = { kind: "put" } | { kind: "delete"; versions: number[] } | { kind: "undelete"; versions: number[] };
const versionList = fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.constant<Op>({ kind: "put" }),
  versionList.map<Op>((versions) => ({ kind: "delete", versions })),
  versionList.map<Op>((versions) => ({ kind: "undelete", versions })),
);

describe("versioning invariants (spec §5.4)", () => {
  it("current is 0 or a live version that get(0) reads; at most maxVersions kept; oldest is 0 or kept", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5 }), (ops, max) => {
        let rec: SecretRecord = putSecretVersion(undefined, { n: "0" }, new Date(0), max);
        let t = 1;
        for (const o of ops) {
          const now = new Date(t++ * 1000);
          const before = rec;
          if (o.kind === "put") rec = putSecretVersion(rec, { n: String(t) }, now, max);
          else if (o.kind === "delete") rec = deleteSecretVersions(rec, o.versions, now);
          else rec = undeleteSecretVersions(rec, o.versions, now) ?? rec;
          const m = rec.metadata;
          expect(rec.versions.size).toBeLessThanOrEqual(max);
          if (m.currentVersion !== 0) {
            expect(rec.versions.get(m.currentVersion)?.deletedTime).toBeNull();
            expect(readableVersion(rec, 0)).toBe(rec.versions.get(m.currentVersion));
          } else {
            expect(readableVersion(rec, 0)).toBeUndefined();
          }
          expect(m.oldestVersion === 0 || rec.versions.has(m.oldestVersion)).toBe(true);
          if (o.kind === "put") {
            expect(rec.versions.get(m.currentVersion)?.data).toEqual({ n: String(t) });
            expect(m.currentVersion).toBeGreaterThan(before.metadata.currentVersion);
          }
          expect(m.createdTime).toEqual(new Date(0));
        }
      }),
      { numRuns: 300 },
    );
  });
});
