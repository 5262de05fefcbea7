import { describe, expect, it } from "vitest";
import { LruList } from "./lru-list.js";
import type { LruNode } from "./lru-list.js";

interface Node extends LruNode {
  name: string;
}

const node = (name: string): Node => ({ name, older: undefined, newer: undefined, linked: false });
const names = (list: LruList<Node>) => [...list.newestFirst()].map((n) => n.name);

describe("LruList", () => {
  it("keeps nodes newest first through push, touch and unlink", () => {
    const list = new LruList<Node>();
    const [a, b, c] = [node("a"), node("b"), node("c")];
    list.pushNewest(a);
    list.pushNewest(b);
    list.pushNewest(c);
    expect(names(list)).toEqual(["c", "b", "a"]);
    list.touch(a);
    expect(names(list)).toEqual(["a", "c", "b"]);
    expect(list.oldest()?.name).toBe("b");
    list.unlink(c);
    list.unlink(c);
    expect(names(list)).toEqual(["a", "b"]);
    expect(list.size).toBe(2);
    list.unlink(a);
    list.unlink(b);
    expect(list.oldest()).toBeUndefined();
    expect(list.size).toBe(0);
    list.pushNewest(c);
    list.clear();
    expect(c.linked).toBe(false);
    expect(names(list)).toEqual([]);
  });
});
