// A hand-written ModelCore for runtime tests: y = W x + b (W is [out, in]) with a mean-squared
// error loss, or, with `logistic`, sigmoid outputs with binary cross-entropy and binary accuracy.
// The bundle test inlines this file's text (minus imports/exports) next to bundled runtime code,
// so it must stay self-contained apart from runtime/core.ts and runtime/metrics.ts.

import { VecArray, type ModelCore, type ParamInfo, type Rng, type Vec } from "../../runtime/core.js";
import { binaryAccuracy } from "../../runtime/metrics.js";

export interface LinearCoreOptions {
  inputSize: number;
  outputSize: number;
  maxBatch?: number;
  logistic?: boolean;
  name?: string;
  layoutHash?: string;
}

export type LinearCore = ModelCore & { largestBatch: number; gradCalls: number };

export function makeLinearCore(o: LinearCoreOptions): LinearCore {
  const inputSize = o.inputSize;
  const outputSize = o.outputSize;
  const maxBatch = o.maxBatch ?? 64;
  const logistic = o.logistic === true;
  const nW = outputSize * inputSize;
  const params: ParamInfo[] = [
    { name: "W", shape: [outputSize, inputSize], offset: 0, size: nW, init: { name: "glorot_uniform" } },
    { name: "b", shape: [outputSize], offset: nW, size: outputSize, init: { name: "zeros" } },
  ];
  const logits = new VecArray(outputSize);

  // Logits of row r into `logits`.
  function forwardRow(p: Vec, X: Vec, r: number): void {
    for (let k = 0; k < outputSize; k++) {
      let s = p[nW + k]!;
      for (let i = 0; i < inputSize; i++) s += p[k * inputSize + i]! * X[r * inputSize + i]!;
      logits[k] = s;
    }
  }
  // Per-sample loss: mean over outputs of (s - y)², or of stable BCE-with-logits.
  function rowLoss(Y: Vec, r: number): number {
    let loss = 0;
    for (let k = 0; k < outputSize; k++) {
      const s = logits[k]!;
      const y = Y[r * outputSize + k]!;
      loss += logistic ? Math.max(s, 0) - s * y + Math.log(1 + Math.exp(-Math.abs(s))) : (s - y) * (s - y);
    }
    return loss / outputSize;
  }
  function checkBatch(n: number): void {
    if (n > maxBatch) throw new Error(`batch of ${n} exceeds maxBatch ${maxBatch}`);
  }

  const core: LinearCore = {
    name: o.name ?? "linear",
    inputSize,
    targetSize: outputSize,
    outputSize,
    paramCount: nW + outputSize,
    params,
    layoutHash: o.layoutHash ?? "test-layout",
    metrics: logistic ? [{ name: "accuracy", score: binaryAccuracy }] : [],
    maxBatch,
    largestBatch: 0,
    gradCalls: 0,
    gradBatch(p: Vec, X: Vec, Y: Vec, n: number, grad: Vec, _rng: Rng, out: Vec): number {
      checkBatch(n);
      core.largestBatch = Math.max(core.largestBatch, n);
      core.gradCalls++;
      let total = 0;
      for (let r = 0; r < n; r++) {
        forwardRow(p, X, r);
        total += rowLoss(Y, r);
        for (let k = 0; k < outputSize; k++) {
          const s = logits[k]!;
          const y = Y[r * outputSize + k]!;
          const prediction = logistic ? 1 / (1 + Math.exp(-s)) : s;
          out[r * outputSize + k] = prediction;
          const d = (logistic ? prediction - y : 2 * (s - y)) / outputSize;
          for (let i = 0; i < inputSize; i++) grad[k * inputSize + i]! += d * X[r * inputSize + i]!;
          grad[nW + k]! += d;
        }
      }
      return total;
    },
    lossBatch(p: Vec, X: Vec, Y: Vec, n: number, out: Vec): number {
      checkBatch(n);
      let total = 0;
      for (let r = 0; r < n; r++) {
        forwardRow(p, X, r);
        total += rowLoss(Y, r);
        for (let k = 0; k < outputSize; k++) out[r * outputSize + k] = logistic ? 1 / (1 + Math.exp(-logits[k]!)) : logits[k]!;
      }
      return total;
    },
    predictBatch(p: Vec, X: Vec, n: number, out: Vec): void {
      checkBatch(n);
      for (let r = 0; r < n; r++) {
        forwardRow(p, X, r);
        for (let k = 0; k < outputSize; k++) {
          const s = logits[k]!;
          out[r * outputSize + k] = logistic ? 1 / (1 + Math.exp(-s)) : s;
        }
      }
    },
  };
  return core;
}
