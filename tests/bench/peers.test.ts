// The benchmark's peers compute what RESULTS.md says they compute (the bench itself is never
// timed in tests). The hand-written loops (plain, fused) and the per-sample ceiling must give
// nnc's numbers: on a few steps of every workload, the losses they return and the weights they
// leave equal those of nnc's own module (createTrainer().step) to 1e-9. synaptic and brain.js
// compute something else (bench/workloads.ts says what): their first steps are checked against
// that computation written out here, their weights against nnc's initial ones, and their training
// must lower the error.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { brainNet } from "../../bench/peers/brain.js";
import { mnistSgdCeiling } from "../../bench/peers/ceiling.js";
import { fusedNet } from "../../bench/peers/plain-fused.js";
import { type PlainNet, plainNet } from "../../bench/peers/plain.js";
import { type ForeignNet, synapticNet } from "../../bench/peers/synaptic.js";
import { type NetSpec, type Workload, isMnist, sourceOf, workloads } from "../../bench/workloads.js";
import { ROOT } from "../../scripts/examples.js";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";

const all = workloads();
const byName = (name: string) => all.find((w) => w.name === name)!;
const outSizeOf = (spec: NetSpec) => spec.layers[spec.layers.length - 1]!.units;

async function moduleOf(w: Workload): Promise<GeneratedModule> {
  const file = sourceOf(w.example);
  return (await compileAndImport(readFileSync(`${ROOT}${file}`, "utf8"), file)).mod;
}

/** Losses of `steps` updates from the start of the workload's data, and the weights after them. */
function trainLoops(net: PlainNet, w: Workload, steps: number): number[] {
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push(net.trainBatch(w.x, w.y, (s * w.batch) % w.rows, w.batch));
  return losses;
}

function trainNnc(mod: GeneratedModule, params: Float64Array, w: Workload, steps: number): number[] {
  const trainer = mod.createTrainer(params);
  const inn = w.net.inputSize;
  const out = outSizeOf(w.net);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const r = (s * w.batch) % w.rows;
    losses.push(trainer.step(w.x.subarray(r * inn, (r + w.batch) * inn), w.y.subarray(r * out, (r + w.batch) * out), w.batch));
  }
  return losses;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/**
 * Trains `nets` and nnc's module (createTrainer().step) for `steps` batches of the workload from
 * the same weights; the losses, the weights after and a prediction must agree to 1e-9.
 */
function expectSameAsNnc(mod: GeneratedModule, w: Workload, steps: number, nets: (init: Float64Array) => [string, PlainNet][]): void {
  const init = mod.init(w.seed);
  const p = init.slice();
  const want = trainNnc(mod, p, w, steps);
  // The test must see the weights move, or equal weights would prove nothing.
  expect(maxDiff(p, init)).toBeGreaterThan(1e-6);
  for (const [name, net] of nets(init)) {
    const losses = trainLoops(net, w, steps);
    expect({ name, loss: maxDiff(losses, want) <= 1e-9 * Math.max(1, ...want.map(Math.abs)) }).toEqual({ name, loss: true });
    expect({ name, weights: maxDiff(net.params, p) }).toEqual({ name, weights: expect.closeTo(0, 9) });
    const x = w.x.subarray(0, w.net.inputSize);
    const outs = [new Float64Array(outSizeOf(w.net)), new Float64Array(outSizeOf(w.net))];
    net.predict(w.x, 0, outs[0]!);
    mod.predict(p, x, outs[1]!);
    expect(maxDiff(outs[0]!, outs[1]!)).toBeLessThan(1e-9);
  }
}

describe("hand-written loops and the ceiling compute nnc's numbers", () => {
  // Steps: enough to go round the tiny data sets several times (momentum and Adam state matter).
  const steps: Record<string, number> = { parity: 20, xor: 24, mnist32: 2, mnist1: 4, mnistsgd: 4 };
  for (const w of all) {
    it(`${w.name}: plain and fused loops${w.peers?.ceiling ? " and the ceiling" : ""} match nnc to 1e-9`, async () => {
      const mod = await moduleOf(w);
      expectSameAsNnc(mod, w, steps[w.name]!, (init) => {
        const peers: [string, PlainNet][] = [
          ["plain", plainNet(w.net, init.slice())],
          ["fused", fusedNet(w.net, init.slice())],
        ];
        if (w.peers?.ceiling) {
          const opt = w.net.optimizer;
          if (opt.name !== "sgd") throw new Error("ceiling: sgd only");
          peers.push(["ceiling", mnistSgdCeiling(init.slice(), opt.lr)]);
        }
        return peers;
      });
    });
  }
});

describe("the fused loops' other paths (optimizers and batch sizes no workload takes) compute nnc's numbers", () => {
  // xor's model with its optimizer line replaced: Adam (with xor's L2 penalty) and plain SGD.
  const xorWith = async (optimizer: string) => {
    const source = readFileSync(`${ROOT}dsl-examples/xor.nn`, "utf8").replace(/^optimizer .*$/m, optimizer);
    expect(source).toContain(optimizer);
    return (await compileAndImport(source, "xor.nn")).mod;
  };
  const xor = byName("xor");
  const ADAM_01 = { name: "adam", lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;
  const cases: { what: string; w: Workload; steps: number; mod: () => Promise<GeneratedModule> }[] = [
    { what: "parity, Adam at batch 1 (the update in the backward sweep)", w: { ...byName("parity"), batch: 1 }, steps: 12, mod: () => moduleOf(byName("parity")) },
    { what: "xor, momentum + L2 at batch 4 (four samples per sweep, then the optimizer per tensor)", w: { ...xor, batch: 4 }, steps: 8, mod: () => moduleOf(xor) },
    { what: "xor, Adam + L2 at batch 1", w: { ...xor, net: { ...xor.net, optimizer: ADAM_01 } }, steps: 10, mod: () => xorWith("optimizer adam(lr = 0.01)") },
    { what: "xor, Adam + L2 at batch 3 (one sample at a time)", w: { ...xor, batch: 3, net: { ...xor.net, optimizer: ADAM_01 } }, steps: 6, mod: () => xorWith("optimizer adam(lr = 0.01)") },
    { what: "xor, plain SGD + L2 at batch 1", w: { ...xor, net: { ...xor.net, optimizer: { name: "sgd", lr: 0.5, momentum: 0 } } }, steps: 10, mod: () => xorWith("optimizer sgd(lr = 0.5)") },
    { what: "xor, plain SGD + L2 at batch 4", w: { ...xor, batch: 4, net: { ...xor.net, optimizer: { name: "sgd", lr: 0.5, momentum: 0 } } }, steps: 6, mod: () => xorWith("optimizer sgd(lr = 0.5)") },
    { what: "MNIST SGD at batch 6 (four samples, then two one at a time)", w: { ...byName("mnistsgd"), batch: 6 }, steps: 2, mod: () => moduleOf(byName("mnistsgd")) },
  ];
  for (const c of cases) {
    it(c.what, async () => {
      // Every step starts at a row r·batch (mod rows) and takes `batch` rows: keep them inside the data.
      const w = { ...c.w, rows: c.w.rows - (c.w.rows % c.w.batch) };
      expectSameAsNnc(await c.mod(), w, c.steps, (init) => [["fused", fusedNet(w.net, init.slice())]]);
    });
  }
});

/** A 2-8-1 tanh/sigmoid step as synaptic takes it: output delta y − p, W2 updated first, the
 * hidden delta through the updated W2. Returns the new weights in nnc's layout. */
function synapticStep(p: Float64Array, x: ArrayLike<number>, y: number, lr: number): Float64Array {
  const q = p.slice();
  const h = [0, 1, 2, 3, 4, 5, 6, 7].map((o) => Math.tanh(p[16 + o]! + p[o * 2]! * x[0]! + p[o * 2 + 1]! * x[1]!));
  const out = 1 / (1 + Math.exp(-(p[32]! + h.reduce((s, v, i) => s + v * p[24 + i]!, 0))));
  const d2 = y - out;
  for (let i = 0; i < 8; i++) q[24 + i] = p[24 + i]! + lr * d2 * h[i]!;
  q[32] = p[32]! + lr * d2;
  for (let o = 0; o < 8; o++) {
    const d1 = (1 - h[o]! * h[o]!) * d2 * q[24 + o]!;
    q[o * 2] = p[o * 2]! + lr * d1 * x[0]!;
    q[o * 2 + 1] = p[o * 2 + 1]! + lr * d1 * x[1]!;
    q[16 + o] = p[16 + o]! + lr * d1;
  }
  return q;
}

/** A 2-8-1 all-sigmoid step as brain.js takes it: squared-error deltas with W2 before its update,
 * classic momentum on the weights (velocity `v` in nnc's layout, updated), none on the biases. */
function brainStep(p: Float64Array, v: Float64Array, x: ArrayLike<number>, y: number, lr: number, mu: number): Float64Array {
  const q = p.slice();
  const sig = (z: number) => 1 / (1 + Math.exp(-z));
  const h = [0, 1, 2, 3, 4, 5, 6, 7].map((o) => sig(p[16 + o]! + p[o * 2]! * x[0]! + p[o * 2 + 1]! * x[1]!));
  const out = sig(p[32]! + h.reduce((s, hv, i) => s + hv * p[24 + i]!, 0));
  const d2 = (y - out) * out * (1 - out);
  const move = (k: number, grad: number) => {
    v[k] = lr * grad + mu * v[k]!;
    q[k] = p[k]! + v[k]!;
  };
  for (let o = 0; o < 8; o++) {
    const d1 = d2 * p[24 + o]! * h[o]! * (1 - h[o]!);
    move(o * 2, d1 * x[0]!);
    move(o * 2 + 1, d1 * x[1]!);
    q[16 + o] = p[16 + o]! + lr * d1;
  }
  for (let i = 0; i < 8; i++) move(24 + i, d2 * h[i]!);
  q[32] = p[32]! + lr * d2;
  return q;
}

/** A forward pass of the 2-8-1 net in nnc's layout with the given hidden activation. */
function xorForward(p: Float64Array, x: ArrayLike<number>, hidden: (z: number) => number): number {
  let z = p[32]!;
  for (let o = 0; o < 8; o++) z += p[24 + o]! * hidden(p[16 + o]! + p[o * 2]! * x[0]! + p[o * 2 + 1]! * x[1]!);
  return 1 / (1 + Math.exp(-z));
}

/** Mean squared error of a library peer's outputs on the first `rows` rows. */
function mse(net: ForeignNet, w: Workload, rows: number): number {
  const out = outSizeOf(w.net);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const p = net.predict(w.x, r * w.net.inputSize);
    for (let o = 0; o < out; o++) sum += (p[o]! - w.y[r * out + o]!) ** 2;
  }
  return sum / (rows * out);
}

describe("synaptic and brain.js run what the workloads say (sanity: they compute something else)", () => {
  it("synaptic starts from nnc's weights and takes synaptic's step (xor)", async () => {
    const w = byName("xor");
    const mod = await moduleOf(w);
    const init = mod.init(w.seed);
    const net = synapticNet(w.net, init, 0.5, w.x, w.y, w.rows);
    for (let r = 0; r < w.rows; r++) expect(net.predict(w.x, r * 2)[0]).toBeCloseTo(mod.predict(init, w.x.subarray(r * 2, r * 2 + 2))[0]!, 12);
    net.trainRow(1);
    const after = synapticStep(init, w.x.subarray(2, 4), w.y[1]!, 0.5);
    for (let r = 0; r < w.rows; r++) expect(net.predict(w.x, r * 2)[0]).toBeCloseTo(xorForward(after, w.x.subarray(r * 2, r * 2 + 2), Math.tanh), 12);
    // …which is not nnc's step: the hidden deltas used the updated output weights.
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    expect(Math.abs(xorForward(after, w.x.subarray(0, 2), Math.tanh) - xorForward(init, w.x.subarray(0, 2), sig))).toBeGreaterThan(1e-6);
  });

  it("brain.js starts from nnc's weights (float32) and takes brain.js' step (xor, momentum)", async () => {
    const w = byName("xor");
    const mod = await moduleOf(w);
    const init = mod.init(w.seed);
    const settings = w.peers!.brain!;
    const net = brainNet(w.net, init, settings, w.x, w.y, w.rows);
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const f32 = Float64Array.from(Float32Array.from(init));
    for (let r = 0; r < w.rows; r++) expect(net.predict(w.x, r * 2)[0]).toBeCloseTo(xorForward(f32, w.x.subarray(r * 2, r * 2 + 2), sig), 6);
    const v = new Float64Array(init.length);
    let p: Float64Array = f32;
    for (const r of [1, 2, 3]) {
      net.trainRow(r);
      p = brainStep(p, v, w.x.subarray(r * 2, r * 2 + 2), w.y[r]!, settings.lr, settings.momentum!);
    }
    for (let r = 0; r < w.rows; r++) expect(net.predict(w.x, r * 2)[0]).toBeCloseTo(xorForward(p, w.x.subarray(r * 2, r * 2 + 2), sig), 5);
  });

  for (const name of ["parity", "xor", "mnistsgd"]) {
    it(`${name}: the library peers' training lowers their error`, async () => {
      const w0 = byName(name);
      // MNIST on 100 digits (synaptic builds a network of 100,000 connection objects: seconds).
      const w = isMnist(w0.example) ? { ...w0, rows: 100 } : w0;
      const mod = await moduleOf(w);
      const init = mod.init(w.seed);
      const nets: [string, ForeignNet][] = [["brain.js", brainNet(w.net, init, w.peers!.brain!, w.x, w.y, w.rows)]];
      if (!isMnist(w.example)) nets.push(["synaptic", synapticNet(w.net, init, w.peers!.synaptic!.lr, w.x, w.y, w.rows)]);
      const epochs = isMnist(w.example) ? 3 : 500;
      for (const [peer, net] of nets) {
        const before = mse(net, w, w.rows);
        for (let e = 0; e < epochs; e++) for (let r = 0; r < w.rows; r++) net.trainRow(r);
        expect({ peer, lower: mse(net, w, w.rows) < 0.9 * before }).toEqual({ peer, lower: true });
      }
    });
  }

  it("synaptic's relu hidden layer and logistic outputs (an MNIST-shaped network, smaller)", () => {
    const spec: NetSpec = { ...byName("mnistsgd").net, inputSize: 6, layers: [{ units: 5, activation: "relu", W: 0, b: 30 }, { units: 3, activation: "softmax", W: 35, b: 50 }] };
    const params = Float64Array.from({ length: 53 }, (_, i) => Math.sin(i * 1.7) * 0.5);
    const x = Float64Array.from({ length: 6 * 9 }, (_, i) => (Math.cos(i * 0.37) + 1) / 2);
    const y = Float64Array.from({ length: 3 * 9 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
    const net = synapticNet(spec, params, 0.1, x, y, 9);
    // Before training: relu hidden units, logistic (not softmax) outputs, from these weights.
    const h = [0, 1, 2, 3, 4].map((o) => Math.max(0, params[30 + o]! + [0, 1, 2, 3, 4, 5].reduce((s, i) => s + params[o * 6 + i]! * x[i]!, 0)));
    const out = [0, 1, 2].map((o) => 1 / (1 + Math.exp(-(params[50 + o]! + h.reduce((s, v, i) => s + v * params[35 + o * 5 + i]!, 0)))));
    const got = Array.from(net.predict(x, 0));
    for (let o = 0; o < 3; o++) expect(got[o]).toBeCloseTo(out[o]!, 12);
    const w = { x, y, rows: 9, net: spec } as unknown as Workload;
    const before = mse(net, w, 9);
    for (let e = 0; e < 200; e++) for (let r = 0; r < 9; r++) net.trainRow(r);
    expect(mse(net, w, 9)).toBeLessThan(0.9 * before);
  });
});
