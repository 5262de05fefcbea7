import { describe, expect, it } from "vitest";
import { renderSecretVersion } from "./render.js";
import { clientOptionsFromSettings, settingsKey } from "./settings.js";

describe("clientOptionsFromSettings", () => {
  const env = { SPIKE_NEXUS_API_URL: "https://nexus.env:8553" };

  it("leaves empty settings out so the sdk falls back to the environment", () => {
    expect(clientOptionsFromSettings({ nexusUrl: "", workloadApiSocket: "  ", trustRoot: undefined }, env)).toEqual({ env });
  });

  it("passes the settings that are set, trimmed, under the sdk's option names", () => {
    expect(
      clientOptionsFromSettings({ nexusUrl: " https://nexus:8553 ", workloadApiSocket: "unix:///tmp/a.sock", trustRoot: "a.org,b.org" }, env),
    ).toEqual({ env, nexusUrl: "https://nexus:8553", endpointSocket: "unix:///tmp/a.sock", nexusTrustRoots: "a.org,b.org" });
  });

  it("keys settings so that only real changes reconnect", () => {
    expect(settingsKey({ nexusUrl: "" })).toBe(settingsKey({}));
    expect(settingsKey({ nexusUrl: "https://a" })).not.toBe(settingsKey({ nexusUrl: "https://b" }));
  });
});

describe("renderSecretVersion", () => {
  it("renders values as sorted pretty JSON so versions diff line by line", () => {
    expect(renderSecretVersion({ username: "app", password: "p\"w" })).toBe('{\n  "password": "p\\"w",\n  "username": "app"\n}\n');
  });
});
