import type { SecretMetadata } from "@spike-ts/sdk";
import { describe, expect, it } from "vitest";
import { versionEntries } from "./versions.js";

const t = (s: string) => new Date(`2026-12-03T${s}Z`);

function meta(current: number, versions: Array<[number, string, string?]>): SecretMetadata {
  return {
    currentVersion: current,
    oldestVersion: versions[0]?.[0] ?? 0,
    createdTime: t("10:00:00"),
    updatedTime: t("11:00:00"),
    maxVersions: 10,
    versions: versions.map(([version, created, deleted]) => ({
      version,
      createdTime: t(created),
      deletedTime: deleted === undefined ? undefined : t(deleted),
    })),
  };
}

describe("versionEntries", () => {
  it("lists versions newest first, marks the current one and links each to the previous live one", () => {
    expect(versionEntries(meta(3, [[1, "10:00:00"], [2, "10:01:00", "10:30:00"], [3, "10:02:00"]]))).toEqual([
      { version: 3, label: "v3 (current)", description: "2026-12-03T10:02:00.000Z", deleted: false, current: true, previous: 1 },
      {
        version: 2,
        label: "v2",
        description: "2026-12-03T10:01:00.000Z, deleted 2026-12-03T10:30:00.000Z",
        deleted: true,
        current: false,
        previous: undefined,
      },
      { version: 1, label: "v1", description: "2026-12-03T10:00:00.000Z", deleted: false, current: false, previous: undefined },
    ]);
  });

  it("sorts by number, not by the string order Go uses (10 after 9)", () => {
    const vs = Array.from({ length: 10 }, (_, i): [number, string] => [i + 1, "10:00:00"]);
    expect(versionEntries(meta(10, vs.reverse())).map((e) => [e.version, e.previous])).toEqual([
      [10, 9], [9, 8], [8, 7], [7, 6], [6, 5], [5, 4], [4, 3], [3, 2], [2, 1], [1, undefined],
    ]);
  });

  it("marks no version current when every version is deleted (current 0)", () => {
    expect(versionEntries(meta(0, [[1, "10:00:00", "10:05:00"]])).map((e) => [e.label, e.current, e.deleted])).toEqual([["v1", false, true]]);
  });
});
