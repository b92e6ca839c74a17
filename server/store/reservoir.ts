// Reservoir sampling with TensorBoard's semantics, in O(1) per add:
// - the first `capacity` items are kept; afterwards the n-th item seen replaces a random kept item with
//   probability capacity/n, and otherwise replaces the newest kept item (the newest item is ALWAYS kept);
// - an item whose step is <= the newest kept step is a rewind (a restarted job): every kept item with
//   step >= it is evicted first, and the seen-count is scaled down like TensorBoard does.
// Kept steps are therefore strictly increasing in arrival order. Replacements write into slots in place,
// so slot order is restored lazily (one sort) when someone reads in step order.

export type Rng = () => number;

export interface AddResult {
  /** False only for an unusable step (NaN/±Inf). */
  accepted: boolean;
  /** Items were evicted because this step was <= the newest kept step. */
  rewound: boolean;
  /** Storage slot now holding the item (-1 if not accepted). Valid until the next read in step order. */
  slot: number;
}

const INITIAL_SLOTS = 16;

/** Sampling decisions and step bookkeeping; subclasses store the payload columns by slot. */
export abstract class ReservoirCore {
  readonly capacity: number;
  protected readonly rng: Rng;
  protected steps: Float64Array;
  protected n = 0;
  /** TensorBoard's num_items_seen (corrected on rewind). */
  protected seen = 0;
  protected lastSlot = -1;
  /** Slots 0..n-1 are in step order. */
  protected ordered = true;
  /** Step rewinds so far (each evicted kept items): readers walking the series in place watch it. */
  protected rewindCount = 0;

  constructor(capacity: number, rng: Rng = Math.random) {
    if (!(capacity === Infinity || (Number.isInteger(capacity) && capacity >= 1))) {
      throw new Error(`reservoir capacity must be a positive integer or Infinity, got ${capacity}`);
    }
    this.capacity = capacity;
    this.rng = rng;
    this.steps = new Float64Array(Math.min(capacity, INITIAL_SLOTS));
  }

  /** Number of kept items. */
  get size(): number {
    return this.n;
  }
  /** Items seen so far (as corrected by rewinds). */
  get seenCount(): number {
    return this.seen;
  }
  /** Step of the newest kept item. */
  get lastStep(): number | undefined {
    return this.n > 0 ? this.steps[this.lastSlot] : undefined;
  }
  get firstStep(): number | undefined {
    if (this.n === 0) return undefined;
    this.ensureOrdered();
    return this.steps[0];
  }

  /** Grow payload columns to `length` slots (copying the first `n`). */
  protected abstract growColumns(length: number): void;
  /** Reorder payload columns: new slot i takes old slot order[i], for i < order.length. */
  protected abstract permuteColumns(order: Uint32Array): void;
  /** Slots from..to-1 no longer hold items (drop references). */
  protected abstract releaseSlots(from: number, to: number): void;

  /** Decide where an item with this step goes (evicting per the rules); the caller writes the payload. */
  protected place(step: number): AddResult {
    if (!Number.isFinite(step)) return { accepted: false, rewound: false, slot: -1 };
    let rewound = false;
    if (this.n > 0 && step <= this.steps[this.lastSlot]) {
      this.rewindTo(step);
      rewound = true;
    }
    let slot: number;
    if (this.n < this.capacity) {
      if (this.n === this.steps.length) this.grow();
      slot = this.n++;
    } else {
      // randint(0, seen) inclusive, as TensorBoard: replace a uniformly random kept item w.p. capacity/(seen+1).
      const r = Math.floor(this.rng() * (this.seen + 1));
      slot = r < this.capacity ? r : this.lastSlot;
      if (slot !== this.n - 1) this.ordered = false;
    }
    this.steps[slot] = step;
    this.lastSlot = slot;
    this.seen++;
    return { accepted: true, rewound, slot };
  }

  private grow(): void {
    const len = Math.min(this.capacity, Math.max(INITIAL_SLOTS, this.steps.length * 2));
    const next = new Float64Array(len);
    next.set(this.steps.subarray(0, this.n));
    this.steps = next;
    this.growColumns(len);
  }

  /** Evict every kept item with step >= `step` (a SessionLog START at `step`); true if any was. */
  truncateFrom(step: number): boolean {
    if (this.n === 0 || !(step <= this.steps[this.lastSlot])) return false;
    this.rewindTo(step);
    return true;
  }

  /** Evict every kept item with step >= `step`. */
  protected rewindTo(step: number): void {
    this.ensureOrdered();
    const keep = this.lowerBound(step);
    const before = this.n;
    this.releaseSlots(keep, before);
    this.n = keep;
    this.lastSlot = keep - 1;
    this.rewindCount++;
    this.seen = before > 0 ? Math.round((this.seen * keep) / before) : 0;
  }

  /** Put slots 0..n-1 in step order (after this, slot i is the i-th oldest kept item). */
  protected ensureOrdered(): void {
    if (this.ordered) return;
    const steps = this.steps;
    const order = new Uint32Array(this.n);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => steps[a] - steps[b]);
    const sorted = new Float64Array(steps.length);
    for (let i = 0; i < order.length; i++) sorted[i] = steps[order[i]];
    this.steps = sorted;
    this.permuteColumns(order);
    this.lastSlot = this.n - 1;
    this.ordered = true;
  }

  /** First ordered index whose step is >= `step` (call ensureOrdered first). */
  protected lowerBound(step: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.steps[mid] < step) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Ordered index of the first kept item with step > afterStep (all when undefined). */
  protected startAfter(afterStep?: number): number {
    this.ensureOrdered();
    if (afterStep === undefined) return 0;
    // steps are integers in practice, but compare exactly: first step strictly greater.
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.steps[mid] <= afterStep) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Kept steps in order. */
  stepList(): number[] {
    this.ensureOrdered();
    return Array.from(this.steps.subarray(0, this.n));
  }

  /** Step stored in a slot (slots as returned by add, valid until the next ordered read). */
  stepAt(slot: number): number {
    return this.steps[slot];
  }

  // In-place reads by ordered index (the i-th kept item by step), for readers that walk the series
  // without copying it (replays). An index is valid until the next add.

  /** Step rewinds so far; a change means kept items were evicted (see place). */
  get rewinds(): number {
    return this.rewindCount;
  }
  /** Ordered index of the first kept item with step > afterStep (size when none). */
  indexAfter(afterStep: number): number {
    return this.startAfter(afterStep);
  }
  /** Step of the i-th kept item in step order. */
  orderedStep(i: number): number {
    this.ensureOrdered();
    return this.steps[i];
  }
}

/** A reservoir of arbitrary items keyed by step. */
export class Reservoir<T> extends ReservoirCore {
  private data: (T | undefined)[] = [];

  add(step: number, item: T): AddResult {
    const res = this.place(step);
    if (res.accepted) this.data[res.slot] = item;
    return res;
  }

  /** Kept items in step order; only those with step > afterStep when given. */
  items(afterStep?: number): { step: number; item: T }[] {
    const start = this.startAfter(afterStep);
    const out: { step: number; item: T }[] = [];
    for (let i = start; i < this.n; i++) out.push({ step: this.steps[i], item: this.data[i] as T });
    return out;
  }

  /** The newest kept item. */
  last(): { step: number; item: T } | undefined {
    if (this.n === 0) return undefined;
    return { step: this.steps[this.lastSlot], item: this.data[this.lastSlot] as T };
  }

  /** The i-th kept item in step order (no copy). */
  orderedItem(i: number): T | undefined {
    this.ensureOrdered();
    return i >= 0 && i < this.n ? this.data[i] : undefined;
  }

  /** Item stored in a slot (see AddResult.slot). */
  itemAt(slot: number): T | undefined {
    return slot >= 0 && slot < this.n ? this.data[slot] : undefined;
  }

  /** Slot of the newest item (for in-place updates of the newest item). */
  get newestSlot(): number {
    return this.lastSlot;
  }

  protected growColumns(_length: number): void {
    // plain array grows by itself
  }
  protected permuteColumns(order: Uint32Array): void {
    const old = this.data;
    const next: (T | undefined)[] = new Array(order.length);
    for (let i = 0; i < order.length; i++) next[i] = old[order[i]];
    this.data = next;
  }
  protected releaseSlots(from: number, to: number): void {
    for (let i = from; i < to; i++) this.data[i] = undefined;
    this.data.length = Math.min(this.data.length, from);
  }
}
