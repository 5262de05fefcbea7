import { describe, expect, it } from "vitest";
import { SpikeError } from "../errors.js";
import { NEXUS_DEV_MISSING, loadNexusDev } from "./start-dev-stack.js";

describe("loadNexusDev", () => {
  it("names the install command when @spike-ts/nexus-dev is missing", async () => {
    const missing = Object.assign(new Error("Cannot find package '@spike-ts/nexus-dev' imported from /app/x.js"), {
      code: "ERR_MODULE_NOT_FOUND",
    });
    const error = await loadNexusDev(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(SpikeError.is(error, "config_invalid")).toBe(true);
    expect((error as SpikeError).message).toBe(NEXUS_DEV_MISSING);
    expect((error as SpikeError).message).toContain("npm install -D @spike-ts/nexus-dev");
    expect((error as SpikeError).cause).toBe(missing);
  });

  it("passes other failures through unchanged (a missing dependency of nexus-dev itself)", async () => {
    const other = Object.assign(new Error("Cannot find package 'undici'"), { code: "ERR_MODULE_NOT_FOUND" });
    await expect(loadNexusDev(() => Promise.reject(other))).rejects.toBe(other);
  });
});
