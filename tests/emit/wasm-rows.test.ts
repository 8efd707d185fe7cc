// `--kernels wasm`, the row loops (lower/wasm/rows.ts, rows-code.ts, rows-vector.ts): the runs of
// statements moved into WebAssembly compute what their JavaScript fallbacks compute, bit for bit
// in f64 and in f32 (the translation computes in doubles as JavaScript does, promoting f32
// elements when loading them and rounding them when storing; its vector loops only where that
// gives the same numbers). Checked by running the same module twice: once as compiled, once with
// the row helpers' dispatch to WebAssembly cut out of its text (their JavaScript bodies then run,
// over the same memory, beside the same WebAssembly products), through predictBatch (predict),
// evaluate (loss), grad, the generic trainer's step (grad rows, then the optimizer in JavaScript)
// and the fused training step; for the CNN of the benchmark, the demo's CNN (dropout), CNNs with
// strides, padding, dilation, overlapping and average pooling, MNIST's dense network and two
// small dense models. The moved code must include the im2col packing, the relu and the pooling
// (in the --emit wat text), and the helpers' names must not clash with the model's.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, lowerSource } from "../../compiler/compile.js";
import { moduleWat } from "../../compiler/print/wasm/wat.js";
import { ROOT } from "../../scripts/examples.js";
import { MODELS as EQUIVALENCE } from "../equivalence/cases.js";
import { importCode } from "../helpers/generated.js";
import { generic } from "../helpers/hidden-state.js";

type Vec = Float64Array | Float32Array;
interface Optimizer {
  step(p: Vec, g: Vec): void;
  learningRate: number;
  readonly iterations: number;
}
interface Module {
  ready(): Promise<"wasm" | "js">;
  init(seed?: number): Vec;
  predictBatch(p: Vec, xs: Vec): Vec;
  evaluate(p: Vec, xs: Vec, ys: Vec): { loss: number };
  grad(p: Vec, x: ArrayLike<number>, y: ArrayLike<number>, g: Vec): number;
  createOptimizer(options?: Record<string, unknown>): Optimizer;
  createTrainer(params: Vec, opts?: { optimizer?: unknown; seed?: number }): { step(X: Vec, Y: Vec, n: number): number };
  model: { paramCount: number; input: { shape: number[] }; target: { shape: number[] } };
}

const file = (path: string) => readFileSync(`${ROOT}${path}`, "utf8");

/** A strided, padded convolution, overlapping padded max pooling, a second convolution, average pooling, dropout. */
const STRIDED = `model strided
input  img[13, 11, 3]
target y[5]

c1  = conv2d(img, 8, 3, strides = 2, padding = "same", activation = relu)
p1  = max_pool2d(c1, 3, strides = 2, padding = "same")
c2  = conv2d(p1, 6, 2, activation = tanh)
a2  = average_pool2d(c2, 2, padding = "same")
f   = flatten(a2)
d   = dropout(f, 0.25)
out = dense(d, 5, softmax)

loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.01)
`;

/** Dilation, non-square kernels and strides, leaky relu, global average pooling; momentum. */
const DILATED = `model dilated
input img[12, 10, 3]
target y[4]
c1  = conv2d(img, 5, [3, 2], strides = [1, 2], dilation_rate = 2, padding = "same", activation = leaky_relu)
g   = global_average_pool2d(c1)
out = dense(g, 4, softmax)
loss categorical_crossentropy(out, y)
optimizer sgd(lr = 0.1, momentum = 0.9)
`;

/** Overlapping padded max pooling straight on the input, a 1×1 convolution, sigmoid, dropout, clipping. */
const POOLS = `model pools
input img[10, 10, 4]
target y[3]
m   = max_pool2d(img, 3, strides = 1, padding = "same")
a   = average_pool2d(m, 2, strides = 2, padding = "valid")
c   = conv2d(a, 6, 1, activation = sigmoid)
f   = flatten(c)
d   = dropout(f, 0.3)
out = dense(d, 3, softmax)
loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.01, clipnorm = 1)
`;

const MODELS = [
  { name: "the benchmark's CNN", source: file("bench/mnist-cnn-plain.nn"), rows: 5 },
  { name: "the demo's CNN (dropout)", source: file("dsl-examples/mnist_cnn.nn"), rows: 3 },
  { name: "a strided, padded CNN", source: STRIDED, rows: 7 },
  { name: "a dilated CNN", source: DILATED, rows: 4 },
  { name: "a CNN of poolings", source: POOLS, rows: 6 },
  { name: "MNIST's dense network", source: file("dsl-examples/mnist.nn"), rows: 6 },
  { name: "a wide tanh layer with dropout and l2 (tests/equivalence)", source: EQUIVALENCE.wide!, rows: 9 },
  { name: "hand-written math with abs (tests/equivalence)", source: EQUIVALENCE.math!, rows: 9 },
];

/** The module's text with every row helper's dispatch to WebAssembly removed: its JavaScript body runs instead. */
function withoutRowsInWasm(code: string): string {
  const out = code.replace(/^ {2}if \(wasmKernels\.exports !== undefined\) return wasmKernels\.exports\.\w+_loop\d+\([^)]*\);\n/gm, "");
  expect(out).not.toBe(code);
  return out;
}


function batch(mod: Module, n: number, seed: number, Vec: typeof Float64Array | typeof Float32Array) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const inSize = mod.model.input.shape.reduce((a, b) => a * b, 1);
  const tSize = mod.model.target.shape.reduce((a, b) => a * b, 1);
  const X = new Vec(n * inSize).map(() => next() * 2 - 1);
  const Y = new Vec(n * tSize);
  for (let r = 0; r < n; r++) Y[r * tSize + Math.floor(next() * tSize)] = 1;
  return { X, Y };
}

/** Everything the module computes from the same start: outputs, losses, a gradient, parameters after steps. */
function run(mod: Module, rows: number, Vec: typeof Float64Array | typeof Float32Array): number[][] {
  const { X, Y } = batch(mod, rows, 7, Vec);
  const inSize = X.length / rows;
  const tSize = Y.length / rows;
  const p = mod.init(3);
  const out: number[][] = [Array.from(mod.predictBatch(p, X)), [mod.evaluate(p, X, Y).loss]];
  const g = new Vec(mod.model.paramCount);
  out.push([mod.grad(p, X.subarray(0, inSize), Y.subarray(0, tSize), g)], Array.from(g));
  const fused = mod.init(3);
  const trainer = mod.createTrainer(fused, { seed: 5 });
  const plain = mod.init(3);
  const genericTrainer = mod.createTrainer(plain, { seed: 5, optimizer: generic(mod.createOptimizer()) });
  for (let step = 0; step < 3; step++) {
    out.push([trainer.step(X, Y, rows), genericTrainer.step(X, Y, rows)]);
  }
  out.push(Array.from(fused), Array.from(plain));
  return out;
}

describe("--kernels wasm: the row loops in WebAssembly compute what their JavaScript does", () => {
  for (const precision of ["f64", "f32"] as const) {
    it.each(MODELS)(`$name, ${precision}: predict, loss, grad, the generic and the fused training step, bit for bit`, async ({ source, rows }) => {
      const { code } = await compile(source, "model.nn", { precision, kernels: "wasm", batch: "always" });
      expect(code).toMatch(/exports\.\w+_loop1\(/);
      const wasm = (await importCode(code)) as unknown as Module;
      const js = (await importCode(withoutRowsInWasm(code))) as unknown as Module;
      expect(await wasm.ready()).toBe("wasm");
      expect(await js.ready()).toBe("wasm");
      const Vec = precision === "f64" ? Float64Array : Float32Array;
      const [a, b] = [run(wasm, rows, Vec), run(js, rows, Vec)];
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(a[i], `result ${i}`).toEqual(b[i]);
      // Not a vacuous check: training moved the parameters.
      expect(a[a.length - 1]).not.toEqual(Array.from(wasm.init(3)));
    }, 60_000);
  }
});

describe("--kernels wasm: the row helpers' names", () => {
  it("never take a name the model's tensors give its buffers (a tensor named predictRows_loop1)", async () => {
    const source = `model clash
input  img[8, 8, 2]
target y[3]

predictRows_loop1 = conv2d(img, 4, 3, padding = "same", activation = relu)
p1  = max_pool2d(predictRows_loop1, 2)
f   = flatten(p1)
out = dense(f, 3, softmax)

loss categorical_crossentropy(out, y)
optimizer adam(lr = 0.01)
`;
    const { code } = await compile(source, "clash.nn", { kernels: "wasm" });
    expect(code).toMatch(/^const predictRows_loop1 = /m);
    expect(code).toMatch(/exports\.predictRows_loop2\(/);
    const mod = (await importCode(code)) as unknown as Module;
    expect(await mod.ready()).toBe("wasm");
    expect(mod.predictBatch(mod.init(1), new Float64Array(2 * 128).fill(0.5)).length).toBe(6);
  });
});

describe("--kernels wasm: a run two kernels share", () => {
  it("is one helper: lossRows calls predictRows' (the same forward pass), and no two WebAssembly functions are alike", () => {
    const { program } = lowerSource(readFileSync(`${ROOT}dsl-examples/mnist_cnn.nn`, "utf8"), "mnist_cnn.nn", { kernels: "wasm" });
    const fns = program.wasm!.module.functions;
    const bodies = fns.map((f) => JSON.stringify([f.params, f.locals, f.body, f.result]));
    expect(new Set(bodies).size).toBe(fns.length);
    const lossRows = program.functions.find((fn) => fn.name === "lossRowsInMemory")!;
    const called = JSON.stringify(lossRows.body).match(/"fn":"\w+_loop\d+"/g) ?? [];
    expect(called.length).toBeGreaterThan(0);
    expect(called.every((c) => c.includes("predictRows_loop"))).toBe(true);
    expect(program.functions.some((fn) => fn.name.startsWith("lossRows_loop"))).toBe(false);
  });
});

describe("--kernels wasm: the row functions in --emit wat", () => {
  it("say which model lines they compute: the CNN's im2col, bias and relu, pooling and its gradient, vector code among them", () => {
    const { program } = lowerSource(file("bench/mnist-cnn-plain.nn"), "mnist-cnn-plain.nn", { kernels: "wasm", precision: "f32" });
    const wat = moduleWat(program.wasm!.module);
    // The comment lines right above a function.
    const docs = (name: string) => wat.slice(0, wat.indexOf(`(func $${name} `)).split("\n").slice(0, -1).reverse().findIndex((l) => !l.trim().startsWith(";;"));
    const rows = program.wasm!.module.functions.filter((f) => /_loop\d+$/.test(f.name));
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const f of rows) expect(docs(f.name), f.name).toBeGreaterThan(0);
    const pooling = rows.find((f) => f.name.startsWith("predictRows") && f.doc.includes("p1  = max_pool2d(c1, 2)"))!;
    expect(pooling.doc).toContain("c1  = conv2d(img, 32, 3");
    expect(pooling.doc).toContain("c2  = conv2d(p1, 64, 3");
    expect(rows.some((f) => f.name.startsWith("gradRows") && f.doc.includes("backward of mnist-cnn-plain.nn:9  p1  = max_pool2d(c1, 2)"))).toBe(true);
    const text = wat.slice(wat.indexOf(`(func $${pooling.name} `));
    expect(text.slice(0, text.indexOf("(func ", 10))).toMatch(/f32x4\.gt[\s\S]*v128\.bitselect[\s\S]*v128\.store/);
  });
});
