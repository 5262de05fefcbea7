import { describe, expect, it } from "vitest";
import { buildSecretTree } from "./secret-tree.js";

describe("buildSecretTree", () => {
  it("groups paths by segment, folders before secrets, each sorted", () => {
    expect(buildSecretTree(["apps/web/db", "apps/api", "apps/web/cache", "top"])).toEqual([
      {
        kind: "folder",
        label: "apps",
        prefix: "apps/",
        children: [
          {
            kind: "folder",
            label: "web",
            prefix: "apps/web/",
            children: [
              { kind: "secret", label: "cache", path: "apps/web/cache" },
              { kind: "secret", label: "db", path: "apps/web/db" },
            ],
          },
          { kind: "secret", label: "api", path: "apps/api" },
        ],
      },
      { kind: "secret", label: "top", path: "top" },
    ]);
  });

  it("keeps a path that is also a prefix as a secret beside its folder", () => {
    const tree = buildSecretTree(["a", "a/b"]);
    expect(tree.map((e) => [e.kind, e.label])).toEqual([
      ["folder", "a"],
      ["secret", "a"],
    ]);
  });

  it("does not normalise paths: /a, a and a//b stay apart, empty segments shown as (empty)", () => {
    const tree = buildSecretTree(["/a", "a", "a//b", "a"]);
    expect(tree).toEqual([
      { kind: "folder", label: "(empty)", prefix: "/", children: [{ kind: "secret", label: "a", path: "/a" }] },
      {
        kind: "folder",
        label: "a",
        prefix: "a/",
        children: [{ kind: "folder", label: "(empty)", prefix: "a//", children: [{ kind: "secret", label: "b", path: "a//b" }] }],
      },
      { kind: "secret", label: "a", path: "a" },
    ]);
  });

  it("gives an empty tree for no paths", () => {
    expect(buildSecretTree([])).toEqual([]);
  });
});
