import { SpikeError } from "@spike-ts/sdk";
import { describe, expect, it } from "vitest";
import { describeError } from "./describe-error.js";
import { ExtensionError } from "./errors.js";

describe("describeError", () => {
  it("names the layer and what to check for each kind of failure", () => {
    expect(describeError(new SpikeError("config_invalid", "spike: SPIKE_HTTP_CLIENT_TIMEOUT must be a positive Go duration"))).toBe(
      "SPIKE: the SPIKE settings are not usable: spike: SPIKE_HTTP_CLIENT_TIMEOUT must be a positive Go duration [SpikeError config_invalid]",
    );
    expect(describeError(new ExtensionError("closed", "vscode-extension: the nexus session is closed"))).toMatch(/^SPIKE: the SPIKE extension could not do this: /);
    const wl = Object.assign(new Error("workload-api: cannot reach unix:///tmp/x.sock"), { name: "WorkloadApiError", code: "unreachable" });
    expect(describeError(wl)).toBe(
      "SPIKE: could not get an identity from the SPIFFE Workload API; check spike.workloadApiSocket or SPIFFE_ENDPOINT_SOCKET: workload-api: cannot reach unix:///tmp/x.sock [WorkloadApiError unreachable]",
    );
  });

  it("gives nexus codes their own hint", () => {
    const e = Object.assign(new Error("nexus: secret list refused"), { name: "NexusError", code: "unauthorized" });
    expect(describeError(e)).toMatch(/^SPIKE: no policy grants this workload the permission; .*\[NexusError unauthorized\]$/);
    expect(describeError(Object.assign(new Error("nexus: x"), { name: "NexusError", code: "bad_response" }))).toBe(
      "SPIKE: Nexus refused or could not answer the request: nexus: x [NexusError bad_response]",
    );
  });

  it("shows only the message, never the cause", () => {
    const e = new Error("outer", { cause: new Error("password=hunter2") });
    expect(describeError(e)).toBe("SPIKE: outer");
    expect(describeError("plain")).toBe("SPIKE: plain");
  });
});
