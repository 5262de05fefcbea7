import { describe, expect, it } from "vitest";
import { messages, paths, workloadApiService } from "./messages.js";
import { jsonToStruct, structToJson } from "./struct.js";

describe("workload API proto", () => {
  it("declares the service without a package, with the standard paths and stream kinds", () => {
    const m = workloadApiService;
    expect(Object.keys(m).sort()).toEqual(
      ["FetchJWTBundles", "FetchJWTSVID", "FetchWITBundles", "FetchWITSVID", "FetchX509Bundles", "FetchX509SVID", "ValidateJWTSVID"],
    );
    expect(m["FetchX509SVID"]).toMatchObject({ path: paths.FetchX509SVID, requestStream: false, responseStream: true });
    expect(m["FetchJWTSVID"]).toMatchObject({ path: "/SpiffeWorkloadAPI/FetchJWTSVID", responseStream: false });
    expect(m["ValidateJWTSVID"]?.responseStream).toBe(false);
    expect(m["FetchJWTBundles"]?.responseStream).toBe(true);
  });

  it("encodes X509SVIDResponse with the standard field numbers", () => {
    const bytes = messages.X509SVIDResponse.encode({
      svids: [{ spiffe_id: "s", x509_svid: Buffer.from([1]), x509_svid_key: Buffer.from([2]), bundle: Buffer.from([3]), hint: "h" }],
      crl: [Buffer.from([9])],
      federated_bundles: { k: Buffer.from([7]) },
    });
    // field 1 (svids, LEN) holding fields 1..5; field 2 (crl); field 3 (map entry: key = 1, value = 2)
    expect([...bytes]).toEqual([
      0x0a, 15, 0x0a, 1, 0x73, 0x12, 1, 1, 0x1a, 1, 2, 0x22, 1, 3, 0x2a, 1, 0x68,
      0x12, 1, 9,
      0x1a, 6, 0x0a, 1, 0x6b, 0x12, 1, 7,
    ]);
  });

  it("decodes absent fields as empty", () => {
    const m = messages.X509SVIDResponse.decode(Buffer.alloc(0));
    expect(m.svids).toEqual([]);
    expect(m.crl).toEqual([]);
    expect(m.federated_bundles).toEqual({});
  });

  it("round-trips JWT and validate messages", () => {
    const req = messages.JWTSVIDRequest.decode(messages.JWTSVIDRequest.encode({ audience: ["a", "b"], spiffe_id: "spiffe://x/y" }));
    expect(req).toEqual({ audience: ["a", "b"], spiffe_id: "spiffe://x/y" });
    // ValidateJWTSVIDRequest.audience is a single string (field 1), svid field 2
    expect([...messages.ValidateJWTSVIDRequest.encode({ audience: "a", svid: "t" })]).toEqual([0x0a, 1, 0x61, 0x12, 1, 0x74]);
  });

  it("carries claims as google.protobuf.Struct and converts to JSON", () => {
    const claims = { sub: "spiffe://example.org/w", aud: ["x", "y"], exp: 1700000000, nested: { ok: true, none: null } };
    const bytes = messages.ValidateJWTSVIDResponse.encode({ spiffe_id: "spiffe://example.org/w", claims: jsonToStruct(claims) });
    const back = messages.ValidateJWTSVIDResponse.decode(bytes);
    expect(back.spiffe_id).toBe("spiffe://example.org/w");
    expect(structToJson(back.claims)).toEqual(claims);
  });

  it("throws on garbage bytes", () => {
    expect(() => messages.X509SVIDResponse.decode(Buffer.from([0x0a, 0xff, 0xff, 0xff]))).toThrowError();
  });
});
