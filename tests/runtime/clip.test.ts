import { describe, expect, it } from "vitest";
import type { ParamInfo } from "../../runtime/core.js";
import { checkClipOptions, clipGradient, gradientNorm } from "../../runtime/clip.js";
import { createSgd } from "../../runtime/optimizers.js";

const LAYOUT: ParamInfo[] = [
  { name: "W", shape: [2], offset: 0, size: 2, init: { name: "zeros" } },
  { name: "b", shape: [2], offset: 2, size: 2, init: { name: "zeros" } },
];

describe("clipping", () => {
  it("gradientNorm is the global L2 norm and propagates NaN", () => {
    expect(gradientNorm(Float64Array.from([3, 4, 0, 12]))).toBe(13);
    expect(gradientNorm(Float64Array.from([1, NaN]))).toBeNaN();
  });

  it("clipnorm clips each tensor separately (Keras clip_by_norm)", () => {
    const g = Float64Array.from([3, 4, 0.3, 0.4]); // norms 5 and 0.5
    clipGradient(g, { clipnorm: 1 }, LAYOUT);
    expect(g[0]).toBeCloseTo(0.6, 12);
    expect(g[1]).toBeCloseTo(0.8, 12);
    expect(Array.from(g.subarray(2))).toEqual([0.3, 0.4]); // under the limit: untouched
  });

  it("globalClipnorm scales the whole gradient (Keras clip_by_global_norm)", () => {
    const g = Float64Array.from([3, 4, 0, 12]); // global norm 13
    clipGradient(g, { globalClipnorm: 6.5 }, undefined);
    expect(Array.from(g)).toEqual([1.5, 2, 0, 6]);
    const small = Float64Array.from([0.1, 0.2]);
    clipGradient(small, { globalClipnorm: 1 }, undefined);
    expect(Array.from(small)).toEqual([0.1, 0.2]);
  });

  it("clipvalue clamps elementwise", () => {
    const g = Float64Array.from([-3, 0.2, 5, -0.5]);
    clipGradient(g, { clipvalue: 0.5 }, undefined);
    expect(Array.from(g)).toEqual([-0.5, 0.2, 0.5, -0.5]);
  });

  it("optimizers clip before updating", () => {
    const w = Float64Array.from([0, 0, 0, 0]);
    createSgd(4, { learningRate: 1, clipnorm: 1 }, LAYOUT).step(w, Float64Array.from([3, 4, 0.3, 0.4]));
    expect(w[0]).toBeCloseTo(-0.6, 12);
    expect(w[3]).toBeCloseTo(-0.4, 12);
  });

  it("checkClipOptions rejects bad setups", () => {
    expect(() => checkClipOptions({ clipnorm: 1, globalClipnorm: 1 }, LAYOUT)).toThrow(/only one of clipnorm, clipvalue and globalClipnorm/);
    expect(() => checkClipOptions({ clipvalue: 0 }, undefined)).toThrow(/clipvalue must be a positive finite number/);
    expect(() => checkClipOptions({ clipnorm: 1 }, undefined)).toThrow(/needs the parameter layout/);
    expect(() => checkClipOptions({ clipnorm: null, clipvalue: 2 }, undefined)).not.toThrow();
  });
});
