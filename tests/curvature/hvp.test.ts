// The Hessian-vector product of modules compiled with `--emit hvp` (the derived gradient
// differentiated again): against central differences of the module's own grad() in f64 (to
// 1e-6 of the largest entry), on examples that cover sigmoid, tanh, relu, softmax + cross-entropy,
// l2 penalties, a hand-written loss and a convolution with pooling; against TensorFlow.js'
// tf.grad of tf.grad on the same models and weights (tfjs computes in float32: to 1e-3); and the
// power iteration `nnc curvature` runs against the eigenvalues of the dense Hessian built from
// hvp columns.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { tf } from "../helpers/tfjs-cpu.js";
// tfjs-core alone registers no op's gradient; tfjs-layers' bundle registers them all (as the umbrella package does).
import "@tensorflow/tfjs-layers";
import { largestEigenvalue } from "../../compiler/cli/power-iteration.js";
import { symmetricEigenvalues } from "./jacobi.js";

type HvpModule = GeneratedModule & {
  hvp(params: Float64Array, x: ArrayLike<number>, y: ArrayLike<number>, v: Float64Array, out: Float64Array): number;
  hvpBatch(params: Float64Array, xs: unknown, ys: unknown, v: Float64Array, out: Float64Array): number;
};

const example = (name: string) => readFileSync(new URL(`../../dsl-examples/${name}.nn`, import.meta.url), "utf8");

const CONV = `model conv
input x[6, 6, 1]
target y[2]
h = conv2d(x, 2, 3, activation = tanh)
p = max_pool2d(h, 2)
out = dense(flatten(p), 2, softmax)
loss categorical_crossentropy(out, y)
`;

/** Deterministic values in [-1, 1). */
function wave(n: number, phase: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.37 + phase) * 0.9);
}

async function load(source: string, file: string): Promise<HvpModule> {
  return (await compileAndImport(source, file, { hvp: true })).mod as HvpModule;
}

interface Case {
  name: string;
  source: string;
  x: number[];
  y: number[];
}

const CASES: Case[] = [
  { name: "parity", source: example("parity"), x: [0.7], y: [1] },
  { name: "xor", source: example("xor"), x: [0.3, -0.8], y: [1] },
  { name: "iris", source: example("iris"), x: [0.5, -0.2, 0.9, 0.1], y: [0, 0, 1] },
  { name: "conv", source: CONV, x: Array.from(wave(36, 0.4)), y: [1, 0] },
];

/** Relative size of the largest difference: max |a − b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

function paramsOf(mod: HvpModule, seed: number): Float64Array {
  const p = mod.init(seed);
  // Nonzero biases, so no second derivative hides behind a zero.
  const wobble = wave(p.length, seed);
  for (let i = 0; i < p.length; i++) p[i]! += 0.1 * wobble[i]!;
  return p;
}

describe("hvp against central differences of grad (f64)", () => {
  it.each(CASES)("$name", async ({ source, name, x, y }) => {
    const mod = await load(source, `${name}.nn`);
    const n = mod.model.paramCount;
    for (const seed of [1, 2]) {
      const params = paramsOf(mod, seed);
      const v = wave(n, 0.5 + seed);
      const hv = new Float64Array(n);
      mod.hvp(params, x, y, v, hv);
      const eps = 1e-5;
      const plus = new Float64Array(n);
      const minus = new Float64Array(n);
      mod.grad(params.map((p, i) => p + eps * v[i]!), x, y, plus);
      mod.grad(params.map((p, i) => p - eps * v[i]!), x, y, minus);
      const fd = plus.map((g, i) => (g - minus[i]!) / (2 * eps));
      expect(Math.max(...Array.from(hv, Math.abs)), "a direction with curvature").toBeGreaterThan(1e-3);
      expect(relativeError(hv, fd)).toBeLessThan(1e-6);
      // hvp adds into out, as grad does.
      mod.hvp(params, x, y, v, hv);
      expect(relativeError(hv, fd.map((f) => 2 * f))).toBeLessThan(1e-6);
    }
  });

  it("the convolution with max pooling in loops too (the pooling's second derivative reads by a runtime offset there)", async () => {
    const { x, y } = CASES.find((c) => c.name === "conv")!;
    const mod = (await compileAndImport(CONV, "conv.nn", { hvp: true, unroll: "never" })).mod as HvpModule;
    const unrolled = await load(CONV, "conv.nn");
    const params = paramsOf(mod, 4);
    const v = wave(mod.model.paramCount, 0.9);
    const [a, b] = [new Float64Array(v.length), new Float64Array(v.length)];
    mod.hvp(params, x, y, v, a);
    unrolled.hvp(params, x, y, v, b);
    expect(relativeError(a, b)).toBeLessThan(1e-12);
    expect(Math.max(...Array.from(a, Math.abs))).toBeGreaterThan(1e-3);
  });

  it("hvpBatch is the mean of the rows' hvp; dropout is left out (inference mode)", async () => {
    const mod = await load(example("iris_regularized"), "iris_regularized.nn");
    const n = mod.model.paramCount;
    const params = paramsOf(mod, 3);
    const v = wave(n, 0.2);
    const xs = [
      [5.1, 3.5, 1.4, 0.2],
      [6.2, 2.9, 4.3, 1.3],
    ];
    const ys = [[0], [1]];
    const sum = new Float64Array(n);
    for (let r = 0; r < 2; r++) mod.hvp(params, xs[r]!, ys[r]!, v, sum);
    const mean = new Float64Array(n);
    mod.hvpBatch(params, xs, ys, v, mean);
    expect(relativeError(mean, sum.map((s) => s / 2))).toBeLessThan(1e-12);
    // Deterministic although the model has dropout: the same numbers twice.
    const again = new Float64Array(n);
    mod.hvpBatch(params, xs, ys, v, again);
    expect(Array.from(again)).toEqual(Array.from(mean));
  });
});

/** Our flat layout -> tfjs tensors: W [out, in] stays [out, in], used as W @ x below. */
function tfParams(mod: HvpModule, flat: ArrayLike<number>): tf.Tensor[] {
  return mod.model.params.map((p) => tf.tensor(Array.from(flat).slice(p.offset, p.offset + p.size), p.shape));
}

const matvec = (W: tf.Tensor, x: tf.Tensor) => tf.squeeze(tf.matMul(W as tf.Tensor2D, tf.reshape(x, [-1, 1]) as tf.Tensor2D), [1]);
// tfjs' second derivatives are right only through ops whose gradient is built from their inputs:
// tf.sigmoid, tf.tanh and tf.exp save their output for the backward pass, and the second pass
// does not reach back through that saved copy ("Cannot compute gradient of y=f(x)"). expm1's
// gradient is exp(x) of its input, so the functions are written over expm1: the same functions.
const exp = (z: tf.Tensor) => tf.add(1, tf.expm1(z));
const sigmoid = (z: tf.Tensor) => tf.div(1, tf.add(1, exp(tf.neg(z))));
const tanh = (z: tf.Tensor) => tf.sub(1, tf.div(2, tf.add(1, exp(tf.mul(2, z)))));
/** softplus(z) − y z: the binary cross-entropy of sigmoid(z), in the stable form nnc computes. */
const bce = (z: tf.Tensor, y: tf.Tensor) => tf.mean(tf.sub(tf.softplus(z), tf.mul(y, z)));
/** log Σ exp(z) − Σ y z: categorical cross-entropy of softmax(z) for a one-hot (or any) y summing to 1. */
const cce = (z: tf.Tensor, y: tf.Tensor) => tf.sub(tf.log(tf.sum(exp(z))), tf.sum(tf.mul(y, z)));

/** Each model's loss in tfjs ops, from its parameters in declaration order. */
const TF_LOSSES: Record<string, (ps: tf.Tensor[], x: tf.Tensor, y: tf.Tensor) => tf.Scalar> = {
  parity: ([Wh, bh, Wo, bo], x, y) => bce(tf.add(matvec(Wo!, sigmoid(tf.add(matvec(Wh!, x), bh!))), bo!), y) as tf.Scalar,
  xor: ([W1, b1, W2, b2], x, y) => {
    const h = tanh(tf.add(matvec(W1!, x), b1!));
    return tf.add(bce(tf.add(matvec(W2!, h), b2!), y), tf.mul(1e-4, tf.sum(tf.square(W1!)))) as tf.Scalar;
  },
  iris: ([Wh, bh, Wo, bo], x, y) => cce(tf.add(matvec(Wo!, tf.relu(tf.add(matvec(Wh!, x), bh!))), bo!), y) as tf.Scalar,
};

/** tfjs' H v: tf.grads of ⟨tf.grads(loss), v⟩. */
function tfHvp(mod: HvpModule, loss: (typeof TF_LOSSES)[string], params: Float64Array, x: number[], y: number[], v: Float64Array): Float64Array {
  const flat = new Float64Array(mod.model.paramCount);
  tf.tidy(() => {
    const ps = tfParams(mod, params);
    const vs = tfParams(mod, v);
    const xt = tf.tensor1d(x);
    const yt = tf.tensor1d(y);
    const inner = (...qs: tf.Tensor[]) => {
      const gs = tf.grads((...rs: tf.Tensor[]) => loss(rs, xt, yt))(qs);
      return gs.map((g, i) => tf.sum(tf.mul(g, vs[i]!))).reduce((a, b) => tf.add(a, b)) as tf.Scalar;
    };
    const hv = tf.grads(inner)(ps);
    mod.model.params.forEach((p, i) => flat.set(hv[i]!.dataSync(), p.offset));
  });
  return flat;
}

describe("hvp against TensorFlow.js (tf.grad of tf.grad, float32)", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it.each(CASES.filter((c) => c.name in TF_LOSSES))("$name", async ({ name, source, x, y }) => {
    const mod = await load(source, `${name}.nn`);
    const params = paramsOf(mod, 5);
    const v = wave(mod.model.paramCount, 1.1);
    const ours = new Float64Array(mod.model.paramCount);
    mod.hvp(params, x, y, v, ours);
    const theirs = tfHvp(mod, TF_LOSSES[name]!, params, x, y, v);
    expect(relativeError(ours, theirs)).toBeLessThan(1e-3);
    // The loss as tfjs computes it matches ours too (so the comparison is of the same function).
    const tfLoss = tf.tidy(() => TF_LOSSES[name]!(tfParams(mod, params), tf.tensor1d(x), tf.tensor1d(y)).dataSync()[0]!);
    expect(Math.abs(mod.loss(params, x, y) - tfLoss)).toBeLessThan(1e-5);
  });
});

describe("the largest eigenvalue by power iteration against the dense Hessian", () => {
  it.each(["parity", "xor"])("%s", async (name) => {
    const mod = await load(example(name), `${name}.nn`);
    const n = mod.model.paramCount;
    const params = paramsOf(mod, 7);
    const xs = name === "parity" ? [[0], [2], [4], [6], [8]].map((r) => r.map((v) => v / 8)) : [[0, 0], [0, 1], [1, 0], [1, 1]];
    const ys = name === "parity" ? [[0], [1], [1], [1], [0]] : [[0], [1], [1], [0]];
    // The dense Hessian, one column per unit vector.
    const H: number[][] = [];
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      const col = new Float64Array(n);
      mod.hvpBatch(params, xs, ys, e, col);
      H.push(Array.from(col));
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(Math.abs(H[i]![j]! - H[j]![i]!)).toBeLessThan(1e-10);
    const eigen = symmetricEigenvalues(H);
    const lambdaMax = Math.max(...eigen);
    const lambdaMin = Math.min(...eigen);
    const r = largestEigenvalue((v, out) => mod.hvpBatch(params, xs, ys, v, out), n, { tolerance: 1e-13, maxIterations: 20000 });
    expect(r.largest.converged).toBe(true);
    expect(Math.abs(r.largest.value - lambdaMax) / Math.abs(lambdaMax)).toBeLessThan(1e-6);
    // A negative eigenvalue outweighing λ_max is reported as such.
    if (-lambdaMin > lambdaMax) expect(Math.abs(r.negative!.value - lambdaMin) / Math.abs(lambdaMin)).toBeLessThan(1e-6);
    else expect(r.negative).toBeUndefined();
  });
});
