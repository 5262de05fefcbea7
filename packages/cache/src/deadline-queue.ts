import { unrefTimer } from "./clock.js";
import type { CacheClock, CacheTimers, TimerHandle } from "./clock.js";

/** Node fires longer timeouts after 1 ms, so a single wait is capped at this. */
const MAX_TIMER_MS = 2_147_483_647;

/** An item a {@link DeadlineQueue} can hold: the queue keeps its bookkeeping on the item. */
export interface Deadline {
  /** When the item falls due, in clock milliseconds (valid while queued). */
  dueAt: number;
  /** The item's place in the heap, or -1 when it is not queued. */
  heapIndex: number;
}

/**
 * A min-heap of deadlines driven by one (unref'd) timer for the earliest of them. The cache
 * keeps thousands of entries each with a refresh or drop deadline; one heap slot per entry is far
 * cheaper than one Node `Timeout` object per entry. Schedule, reschedule and cancel are O(log n).
 */
export class DeadlineQueue<T extends Deadline> {
  private readonly heap: T[] = [];
  private timer: TimerHandle | undefined;
  private timerDueAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: CacheClock,
    private readonly timers: CacheTimers,
    private readonly onDue: (item: T) => void,
  ) {}

  /** How many items are queued. */
  get size(): number {
    return this.heap.length;
  }

  /** Queues `item` to fall due at `dueAt`, moving it if it is already queued. */
  schedule(item: T, dueAt: number): void {
    if (item.heapIndex >= 0) {
      const earlier = dueAt < item.dueAt;
      item.dueAt = dueAt;
      if (earlier) this.up(item.heapIndex);
      else this.down(item.heapIndex);
    } else {
      item.dueAt = dueAt;
      item.heapIndex = this.heap.length;
      this.heap.push(item);
      this.up(item.heapIndex);
    }
    this.arm();
  }

  /** Takes `item` out of the queue; an item that is not queued is ignored. */
  cancel(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    item.heapIndex = -1;
    const last = this.heap.pop() as T;
    if (last !== item) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.up(i);
      this.down(last.heapIndex);
    }
    this.arm();
  }

  /** Empties the queue and stops its timer. */
  clear(): void {
    for (const item of this.heap) item.heapIndex = -1;
    this.heap.length = 0;
    this.disarm();
  }

  private arm(): void {
    const top = this.heap[0];
    if (top === undefined) {
      this.disarm();
      return;
    }
    if (this.timer !== undefined && this.timerDueAt <= top.dueAt) return;
    this.disarm();
    const delay = Math.max(0, Math.min(top.dueAt - this.clock.now(), MAX_TIMER_MS));
    this.timerDueAt = top.dueAt;
    this.timer = this.timers.setTimeout(() => this.fire(), delay);
    unrefTimer(this.timer);
  }

  private disarm(): void {
    if (this.timer !== undefined) {
      this.timers.clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.timerDueAt = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDueAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    for (let top = this.heap[0]; top !== undefined && top.dueAt <= now; top = this.heap[0]) {
      this.cancelTop(top);
      this.onDue(top);
    }
    this.arm();
  }

  private cancelTop(top: T): void {
    top.heapIndex = -1;
    const last = this.heap.pop() as T;
    if (last !== top) {
      this.heap[0] = last;
      last.heapIndex = 0;
      this.down(0);
    }
  }

  private up(index: number): void {
    const heap = this.heap;
    const item = heap[index] as T;
    let i = index;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex] as T;
      if (parent.dueAt <= item.dueAt) break;
      heap[i] = parent;
      parent.heapIndex = i;
      i = parentIndex;
    }
    heap[i] = item;
    item.heapIndex = i;
  }

  private down(index: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[index] as T;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && (heap[right] as T).dueAt < (heap[left] as T).dueAt ? right : left;
      const c = heap[child] as T;
      if (c.dueAt >= item.dueAt) break;
      heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    heap[i] = item;
    item.heapIndex = i;
  }
}
