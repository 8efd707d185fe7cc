// Seeded random numbers: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator) with its
// 128-bit state filled by splitmix32. Pure 32-bit integer math (Math.imul, |0, >>>0), so the
// integer stream is identical on every machine; normal() additionally uses Math.log/cos/sin.
//
//   const rng = createRng(42);
//   rng.uniform();            // 0.xxx in [0, 1), 32 random bits
//   rng.normal();             // standard normal (Box–Muller, second value cached)
//   rng.int(10);              // 0..9
//   createRng(deriveSeed(42, "dense1.W"));   // an independent stream for one tensor

import type { Rng } from "./core.js";

/** sfc32 state plus the cached second Box–Muller value. */
class Sfc32Rng implements Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  constructor(a: number, b: number, c: number, d: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
  }

  /** One raw 32-bit output (as an unsigned integer). */
  nextUint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    // tmp = a + b + counter++ (the counter's value before the increment).
    const t = (((a + b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // 1 - u lies in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    this.hasSpare = true;
    return radius * Math.cos(angle);
  }

  int(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= 4294967296)) {
      throw new Error(`rng.int(n) needs an integer n in [1, 2^32], got ${n}`);
    }
    // Multiply-shift (Lemire without rejection): bias below n / 2^32, negligible here.
    return Math.floor(this.uniform() * n);
  }
}

/** splitmix32 with the murmur3 finalizer: turns consecutive counters into well-mixed words. */
function splitmix32(state: number): number {
  let z = state | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * A deterministic generator for `seed`, any safe integer (negative and > 2^32 are fine: the
 * high bits are folded in). Different seeds give unrelated streams.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new Error(`rng seed must be a safe integer, got ${seed}`);
  const high = Math.floor(seed / 4294967296) | 0;
  const state = (seed | 0) ^ Math.imul(high, 0x27d4eb2f);
  // splitmix32 over consecutive golden-ratio counters fills the four state words.
  const rng = new Sfc32Rng(
    splitmix32(state + 0x9e3779b9),
    splitmix32(state + 2 * 0x9e3779b9),
    splitmix32(state + 3 * 0x9e3779b9),
    splitmix32(state + 4 * 0x9e3779b9),
  );
  // The authors' recommended warm-up: discard the first outputs.
  for (let i = 0; i < 12; i++) rng.nextUint32();
  return rng;
}

/** 32-bit FNV-1a over the UTF-16 code units of `text`, continuing from `hash`. */
export function fnv1a32(text: string, hash = 0x811c9dc5): number {
  let h = hash | 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/**
 * A seed for a named sub-stream of `seed` (e.g. one per parameter tensor, or "shuffle" /
 * "dropout" in fit), so adding a stream never shifts the others.
 */
export function deriveSeed(seed: number, stream: string): number {
  if (!Number.isSafeInteger(seed)) throw new Error(`rng seed must be a safe integer, got ${seed}`);
  const low = (seed | 0) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x27d4eb2f);
  return splitmix32(fnv1a32(stream) ^ splitmix32(low));
}
