/** A node that can sit in an {@link LruList}: the list links live on the node itself. */
export interface LruNode {
  /** The next-older node, or `undefined` at the tail. */
  older: LruNode | undefined;
  /** The next-newer node, or `undefined` at the head. */
  newer: LruNode | undefined;
  /** Whether the node is currently in a list. */
  linked: boolean;
}

/**
 * An intrusive doubly linked list ordered from most to least recently used. Every operation is
 * O(1) and allocates nothing, so touching an entry on a cache hit is a few pointer writes.
 */
export class LruList<N extends LruNode> {
  private head: N | undefined;
  private tail: N | undefined;
  private count = 0;

  /** How many nodes the list holds. */
  get size(): number {
    return this.count;
  }

  /** Puts `node` (not yet in the list) at the most recently used end. */
  pushNewest(node: N): void {
    node.older = this.head;
    node.newer = undefined;
    if (this.head !== undefined) this.head.newer = node;
    this.head = node;
    if (this.tail === undefined) this.tail = node;
    node.linked = true;
    this.count++;
  }

  /** Moves `node` (already in the list) to the most recently used end. */
  touch(node: N): void {
    if (this.head === node) return;
    this.unlink(node);
    this.pushNewest(node);
  }

  /** Takes `node` out of the list; a node that is not in it is ignored. */
  unlink(node: N): void {
    if (!node.linked) return;
    const { older, newer } = node;
    if (newer !== undefined) newer.older = older;
    else this.head = older as N | undefined;
    if (older !== undefined) older.newer = newer;
    else this.tail = newer as N | undefined;
    node.older = undefined;
    node.newer = undefined;
    node.linked = false;
    this.count--;
  }

  /** The least recently used node, or `undefined` when the list is empty. */
  oldest(): N | undefined {
    return this.tail;
  }

  /** The nodes from most to least recently used (for tests and diagnostics). */
  *newestFirst(): IterableIterator<N> {
    for (let n: LruNode | undefined = this.head; n !== undefined; n = n.older) yield n as N;
  }

  /** Forgets every node. */
  clear(): void {
    for (let n: LruNode | undefined = this.head; n !== undefined; ) {
      const next: LruNode | undefined = n.older;
      n.older = undefined;
      n.newer = undefined;
      n.linked = false;
      n = next;
    }
    this.head = undefined;
    this.tail = undefined;
    this.count = 0;
  }
}
