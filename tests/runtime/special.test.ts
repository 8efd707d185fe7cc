// normalCdf (Φ, for gelu) against reference values and against its own derivative: the exact
// density φ must match central differences of Φ in every range of Cody's approximation.

import { describe, expect, it } from "vitest";
import { normalCdf } from "../../runtime/special.js";

// Φ(x) to 17 significant digits (standard tables / R's pnorm).
const REFERENCE: [number, number][] = [
  [0, 0.5],
  [0.5, 0.69146246127401310],
  [-0.6, 0.27425311775007355],
  [-1, 0.15865525393145705],
  [2, 0.97724986805182079],
  [-3, 0.0013498980316300946],
  [-6, 9.8658764503769814e-10],
  [-10, 7.6198530241605261e-24],
  [-20, 2.7536241186062336e-89],
];

const density = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

describe("normalCdf", () => {
  it("matches reference values to near double precision, tails included", () => {
    for (const [x, expected] of REFERENCE) {
      expect(Math.abs(normalCdf(x) - expected) / expected, `Φ(${x})`).toBeLessThan(1e-14);
    }
  });

  it("is symmetric, monotone and saturates cleanly", () => {
    for (let x = -8; x <= 8; x += 0.37) expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 15);
    let previous = 0;
    for (let x = -38; x <= 9; x += 0.01) {
      const v = normalCdf(x);
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
    }
    expect(normalCdf(-50)).toBe(0);
    expect(normalCdf(50)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(NaN)).toBeNaN();
  });

  it("differentiates to the normal density in every range (|x| ≤ 0.66, ≤ √32, beyond)", () => {
    // x ≤ 2: above that Φ is 1 − (tail) and its rounding near 1 swamps a difference quotient;
    // the upper half is the lower half mirrored (symmetry test above).
    for (let x = -30; x <= 2; x += 0.0913) {
      const h = 1e-5 / Math.max(1, Math.abs(x)); // the tail curves faster as |x| grows
      const fd = (normalCdf(x + h) - normalCdf(x - h)) / (2 * h);
      // Relative to the density itself, so the far lower tail is checked too.
      expect(Math.abs(fd - density(x)) / density(x), `Φ'(${x})`).toBeLessThan(1e-6);
    }
  });
});
