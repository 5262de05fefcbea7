import { describe, expect, it } from "vitest";
import { ExtensionError } from "./errors.js";
import { parseSecretUri, SECRET_SCHEME, secretUri } from "./secret-uri.js";

describe("secretUri / parseSecretUri", () => {
  it("round-trips paths with every character Nexus allows, and titles the tab path@vN.json", () => {
    for (const path of ["apps/db", "/lead/slash", "a//b/", "x?y+z*(1)|[2]{3}\\4", "a.b_c-d"]) {
      const uri = secretUri(path, 7);
      expect(uri.scheme).toBe(SECRET_SCHEME);
      expect(parseSecretUri(uri)).toEqual({ path, version: 7 });
    }
    expect(secretUri("apps/db", 2).path).toBe("/apps/db@v2.json");
    expect(secretUri("/apps/db", 2).path).toBe("/apps/db@v2.json");
  });

  it("refuses uris it did not make, and bad versions", () => {
    expect(() => parseSecretUri({ scheme: "file", query: "" })).toThrow(/not a spike-secret: uri/);
    expect(() => parseSecretUri({ scheme: SECRET_SCHEME, query: "path=a" })).toThrowError(
      expect.objectContaining({ code: "uri_invalid" }),
    );
    expect(() => secretUri("a", 0)).toThrow(/positive integer/);
    try {
      parseSecretUri({ scheme: SECRET_SCHEME, query: "version=1" });
      expect.unreachable();
    } catch (e) {
      expect(ExtensionError.is(e, "uri_invalid")).toBe(true);
      expect(ExtensionError.is(e, "closed")).toBe(false);
    }
  });
});
