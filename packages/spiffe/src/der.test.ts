import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codeOf } from "../test/error-code.js";
import { concatDer, derToPem, pemToDer, splitDer } from "./der.js";
import { SpiffeError } from "./errors.js";
import { createTestCa } from "./testing/index.js";
import { verifyX509Svid } from "./verify-x509-svid.js";
import { X509Bundle } from "./x509-bundle.js";
import { parseX509Svid, spiffeIdFromCertificate } from "./x509-svid.js";

describe("splitDer", () => {
  it("splits concatenated certificates that X509Certificate would read as one", async () => {
    const ca = createTestCa();
    const issued = ca.issueIntermediate().issueIntermediate().issueSvid("spiffe://example.org/a");
    const parts = splitDer(issued.chainDer);
    expect(parts).toHaveLength(3);
    parts.forEach((p, i) => expect(Buffer.from(p).equals(Buffer.from(issued.certificates[i] as Uint8Array))).toBe(true));
    const { X509Certificate } = await import("node:crypto");
    expect(new X509Certificate(issued.chainDer).raw.length).toBe(parts[0]?.length);
  });

  it("gives [] for empty input", () => {
    expect(splitDer(new Uint8Array())).toEqual([]);
  });

  it("handles short, 1-byte and 2-byte lengths", () => {
    const short = new Uint8Array([0x30, 0x02, 0x05, 0x00]);
    const one = new Uint8Array([0x30, 0x81, 0x80, ...new Uint8Array(0x80)]);
    const two = new Uint8Array([0x30, 0x82, 0x01, 0x00, ...new Uint8Array(0x100)]);
    const parts = splitDer(concatDer([short, one, two]));
    expect(parts.map((p) => p.length)).toEqual([4, 3 + 0x80, 4 + 0x100]);
  });

  it.each([
    ["wrong tag", [0x31, 0x00], /not a SEQUENCE \(tag 0x31\)/],
    ["no length", [0x30], /truncated \(no length\)/],
    ["indefinite length", [0x30, 0x80, 0x00, 0x00], /indefinite length/],
    ["5-byte length", [0x30, 0x85, 1, 1, 1, 1, 1], /5-byte length/],
    ["truncated length", [0x30, 0x82, 0x01], /truncated \(length\)/],
    ["non-minimal length", [0x30, 0x81, 0x05, 1, 2, 3, 4, 5], /non-minimal/],
    ["leading zero length", [0x30, 0x82, 0x00, 0x85, ...new Array(0x85).fill(0)], /non-minimal/],
    ["truncated body", [0x30, 0x05, 1, 2], /truncated \(wants 5 bytes, has 2\)/],
    ["trailing garbage", [0x30, 0x00, 0xff], /byte 2 is not a SEQUENCE/],
  ])("rejects %s with der_malformed", (_name, bytes, message) => {
    expect(() => splitDer(new Uint8Array(bytes as number[]))).toThrow(message);
    expect(codeOf(() => splitDer(new Uint8Array(bytes as number[])))).toBe("der_malformed");
  });

  it("rejects non-Uint8Array input", () => {
    expect(codeOf(() => splitDer("abc" as unknown as Uint8Array))).toBe("der_malformed");
  });

  it("fuzz: arbitrary bytes give parts that re-concatenate to the input, or der_malformed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const parts = splitDer(bytes);
          expect(Buffer.from(concatDer(parts)).equals(Buffer.from(bytes))).toBe(true);
        } catch (e) {
          expect(SpiffeError.is(e, "der_malformed")).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("malformed certificates never crash", () => {
  const ca = createTestCa();
  const issued = ca.issueSvid("spiffe://example.org/a");
  const leaf = issued.certificates[0] as Uint8Array;

  it("garbage sequences are der_malformed everywhere", () => {
    const garbage = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
    expect(codeOf(() => spiffeIdFromCertificate(garbage))).toBe("der_malformed");
    expect(codeOf(() => parseX509Svid(garbage, issued.keyDer))).toBe("der_malformed");
    expect(codeOf(() => X509Bundle.parseRaw("example.org", garbage))).toBe("bundle_malformed");
    expect(codeOf(() => verifyX509Svid([garbage], ca.bundle))).toBe("der_malformed");
  });

  it("fuzz: arbitrary byte arrays only ever throw SpiffeError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        for (const fn of [
          () => parseX509Svid(bytes, issued.keyDer),
          () => X509Bundle.parseRaw("example.org", bytes),
          () => verifyX509Svid([bytes], ca.bundle),
        ]) {
          try {
            fn();
          } catch (e) {
            expect(SpiffeError.is(e)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("fuzz: arbitrary key bytes only ever throw SpiffeError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(() => parseX509Svid(issued.chainDer, bytes)).toThrow(SpiffeError);
      }),
      { numRuns: 60 },
    );
  });

  it("fuzz: a real certificate with random byte flips is rejected or still verifies, never crashes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: leaf.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (flips) => {
          const copy = new Uint8Array(leaf);
          for (const [i, x] of flips) copy[i] = (copy[i] as number) ^ x;
          try {
            verifyX509Svid([copy], ca.bundle);
          } catch (e) {
            expect(SpiffeError.is(e)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("fuzz: a flipped byte inside the signed part never verifies", () => {
    // TBSCertificate starts after the outer SEQUENCE header (4 bytes for these sizes).
    const tbsLen = ((leaf[6] as number) << 8) | (leaf[7] as number);
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 8 + tbsLen - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const copy = new Uint8Array(leaf);
        copy[i] = (copy[i] as number) ^ x;
        expect(() => verifyX509Svid([copy], ca.bundle)).toThrow(SpiffeError);
      }),
      { numRuns: 150 },
    );
  });
});

describe("PEM helpers", () => {
  it("round-trip and skip other labels", () => {
    const der = new Uint8Array([0x30, 0x01, 0x00]);
    const pem = `${derToPem(der, "PRIVATE KEY")}${derToPem(der, "CERTIFICATE")}`;
    expect(pemToDer(pem, "CERTIFICATE")).toEqual([der]);
    expect(pemToDer(pem, "PRIVATE KEY")).toEqual([der]);
  });

  it("rejects bad base64", () => {
    expect(codeOf(() => pemToDer("-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n", "CERTIFICATE"))).toBe(
      "der_malformed",
    );
  });
});
