// Rows of numbers kept as they are read: one Float64Array of rows × width, sized once from a
// row count when the reader knows one (a regular file's line count), else grown by half again
// when full. Memory is then about the numbers themselves (8 bytes each). Every allocation is
// counted against a MemoryBudget shared by the data being read, so data too large for the
// machine is refused with a message (`tooLarge`) before memory runs out, and an allocation the
// system refuses is reported the same way instead of ending the process.
//
//   const X = new RowStore(4, 150, machineBudget(), (why) => new DataError(`iris: ${why}`));
//   X.data[X.addRow() + 2] = 1.4;   …   X.values();   // Float64Array of rows × 4

import { totalmem } from "node:os";

export interface MemoryBudget {
  /** Bytes the stores may take in all. */
  limit: number;
  used: number;
}

/** Half of this machine's memory (or of the container's limit): data stays below it, the rest is for training. */
export function machineBudget(): MemoryBudget {
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const memory = constrained !== undefined && constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return { limit: Math.floor(memory / 2), used: 0 };
}

const MB = 1024 * 1024;

export class RowStore {
  data: Float64Array;
  rows = 0;

  constructor(
    readonly width: number,
    capacityHint: number,
    private readonly budget: MemoryBudget,
    /** The error to throw when the rows cannot be held; `why` says how much and why not. */
    private readonly tooLarge: (why: string) => Error,
  ) {
    // One allocation when the hint fits the budget; otherwise start small and grow.
    const fits = capacityHint * width * 8 <= budget.limit - budget.used;
    this.data = this.allocate(fits ? capacityHint : Math.min(capacityHint, 1024));
  }

  /** Index in `data` of the first value of a new row (grows the storage when it is full). */
  addRow(): number {
    const at = this.rows * this.width;
    if (at + this.width > this.data.length) this.grow();
    this.rows++;
    return at;
  }

  /** The rows read: a view when little space is unused, else an exact copy. */
  values(): Float64Array {
    const n = this.rows * this.width;
    if (n === this.data.length) return this.data;
    return n >= 0.75 * this.data.length ? this.data.subarray(0, n) : this.data.slice(0, n);
  }

  private grow(): void {
    const rowBytes = this.width * 8;
    const capacity = this.data.length / this.width;
    // The old rows stay allocated while they are copied: the new array must fit beside them.
    const free = this.budget.limit - this.budget.used;
    const wanted = Math.max(capacity + 1, Math.ceil(capacity * 1.5), 1024);
    const next = Math.min(wanted, Math.floor(free / rowBytes));
    if (next <= capacity) {
      throw this.tooLarge(`${this.rows} rows of ${this.width} numbers take ${(this.data.length * 8 / MB).toFixed(0)} MB, and data may take at most ${(this.budget.limit / MB).toFixed(0)} MB here (half of this machine's memory)`);
    }
    const old = this.data;
    this.data = this.allocate(next);
    this.data.set(old);
    this.budget.used -= old.length * 8;
  }

  private allocate(rows: number): Float64Array {
    const bytes = rows * this.width * 8;
    if (bytes > this.budget.limit - this.budget.used) {
      throw this.tooLarge(`${rows} rows of ${this.width} numbers need ${(bytes / MB).toFixed(0)} MB, and data may take at most ${(this.budget.limit / MB).toFixed(0)} MB here (half of this machine's memory)`);
    }
    let data: Float64Array;
    try {
      data = new Float64Array(rows * this.width);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      throw this.tooLarge(`${rows} rows of ${this.width} numbers need ${(bytes / MB).toFixed(0)} MB, which the system refused to allocate`);
    }
    this.budget.used += bytes;
    return data;
  }
}
