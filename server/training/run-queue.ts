// A bounded FIFO of run names waiting for a free worker slot. Pure; the manager owns the policy.
export class RunQueue {
  private items: string[] = [];

  constructor(readonly capacity: number) {
    if (!(capacity >= 0)) throw new Error(`run queue capacity must be >= 0, got ${capacity}`);
  }

  get size(): number {
    return this.items.length;
  }

  /** Room for n more runs? */
  hasRoom(n = 1): boolean {
    return this.items.length + n <= this.capacity;
  }

  /** Adds to the back; throws a readable error when full. */
  push(run: string): void {
    if (!this.hasRoom()) throw new Error(`training queue is full (${this.capacity} runs waiting); stop some runs or wait`);
    this.items.push(run);
  }

  shift(): string | undefined {
    return this.items.shift();
  }

  /** Removes a waiting run; false if it was not queued. */
  remove(run: string): boolean {
    const i = this.items.indexOf(run);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  has(run: string): boolean {
    return this.items.includes(run);
  }

  /** Empties the queue, returning what was waiting (in order). */
  drain(): string[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}
