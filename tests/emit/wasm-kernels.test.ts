// `--kernels wasm`: the batched kernels' matrix products as WebAssembly SIMD (f64x2, f32x4) in
// the generated module. Checked against the JavaScript kernels of the same model: a few steps of
// fit give the same parameters (f64: to 1e-12 of the largest; the nt product sums its lanes
// apart, so not bit for bit; f32: to float32 rounding, WebAssembly accumulating in f32 where the
// JavaScript kernels accumulate in doubles), and predict, grad and evaluate agree. The module
// type-checks under the strictest settings (TypeScript and JavaScript output), is the same bytes
// on every compile, and runs the JavaScript kernels where WebAssembly SIMD is missing (ready()
// in a host that compiles only in the background: tests/robustness/wasm-errors.test.ts).

import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { compile, lowerSource } from "../../compiler/compile.js";
import { encodeModule } from "../../compiler/print/wasm/encode.js";
import { fconst, get, op, set } from "../../compiler/lower/wasm/code.js";
import { simdProbe } from "../../runtime/wasm.js";
import { ROOT } from "../../scripts/examples.js";
import { type GeneratedModule, importCode } from "../helpers/generated.js";
import { typeErrorsOfEach } from "../helpers/typecheck.js";

const source = (name: string) => readFileSync(`${ROOT}dsl-examples/${name}.nn`, "utf8");
type WasmModule = GeneratedModule & { ready(): Promise<"wasm" | "js">; model: { kernels: { wasm?: boolean } } };

/** Deterministic rows in [0, 1) and one-hot (or 0/1) targets. */
function data(rows: number, inputs: number, classes: number): { xs: number[][]; ys: number[][] } {
  let s = 12345;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const xs = Array.from({ length: rows }, () => Array.from({ length: inputs }, next));
  const ys = Array.from({ length: rows }, () => {
    const y = new Array<number>(classes).fill(0);
    y[Math.floor(next() * classes)] = 1;
    return y;
  });
  return { xs, ys };
}

/** Largest difference relative to the largest magnitude of `b`. */
function relativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

const CASES = [
  { name: "iris", precision: "f64", rows: 40, inputs: 4, classes: 3, tol: 1e-12 },
  { name: "iris", precision: "f32", rows: 40, inputs: 4, classes: 3, tol: 1e-5 },
  { name: "mnist", precision: "f64", rows: 64, inputs: 784, classes: 10, tol: 1e-12 },
  { name: "mnist", precision: "f32", rows: 64, inputs: 784, classes: 10, tol: 1e-5 },
] as const;

describe("--kernels wasm computes what the JavaScript kernels do", () => {
  it.each(CASES)("$name $precision: fit, predict, grad, evaluate", async ({ name, precision, rows, inputs, classes, tol }) => {
    const js = await importCode((await compile(source(name), `${name}.nn`, { precision, batch: "always" })).code);
    const wasm = (await importCode((await compile(source(name), `${name}.nn`, { precision, kernels: "wasm" })).code)) as WasmModule;
    expect(wasm.model.kernels.wasm).toBe(true);
    expect(await wasm.ready()).toBe("wasm");
    const { xs, ys } = data(rows, inputs, classes);
    const pw = wasm.init(1);
    const pj = js.init(1);
    expect(Array.from(pw)).toEqual(Array.from(pj));
    // A parameter vector outside the WebAssembly memory (staged into it on each call) trains alike.
    const outside = pw.slice();
    const options = { epochs: 2, batchSize: 32, seed: 3 };
    const hw = wasm.fit(pw, xs, ys, options);
    const hj = js.fit(pj, xs, ys, options);
    const ho = wasm.fit(outside, xs, ys, options);
    expect(relativeDiff(pw, pj)).toBeLessThan(tol);
    expect(Array.from(outside)).toEqual(Array.from(pw));
    expect(relativeDiff(hw.history.loss, hj.history.loss)).toBeLessThan(tol);
    expect(ho.history.loss).toEqual(hw.history.loss);
    // The JavaScript kernels must have moved the parameters for the comparison to mean anything.
    expect(relativeDiff(pj, js.init(1))).toBeGreaterThan(1e-3);

    expect(relativeDiff(wasm.predictBatch(pj, xs.slice(0, 5)), js.predictBatch(pj, xs.slice(0, 5)))).toBeLessThan(tol);
    expect(relativeDiff(wasm.predict(pj, xs[7]!), js.predict(pj, xs[7]!))).toBeLessThan(tol);
    const gw = new (precision === "f64" ? Float64Array : Float32Array)(pj.length) as Float64Array;
    const gj = gw.slice();
    const lw = wasm.grad(pj, xs[3]!, ys[3]!, gw);
    const lj = js.grad(pj, xs[3]!, ys[3]!, gj);
    expect(Math.abs(lw - lj) / Math.abs(lj)).toBeLessThan(tol);
    expect(relativeDiff(gw, gj)).toBeLessThan(tol);
    const ew = wasm.evaluate(pj, xs, ys);
    const ej = js.evaluate(pj, xs, ys);
    expect(Math.abs(ew.loss - ej.loss) / ej.loss).toBeLessThan(tol);
    // Saved and loaded parameters land in the memory and predict the same.
    const loaded = wasm.loadParams(wasm.saveParams(pw));
    expect(Array.from(wasm.predict(loaded, xs[0]!))).toEqual(Array.from(wasm.predict(pw, xs[0]!)));
  });

  it("type-checks under the strictest settings, as TypeScript and as JavaScript, and is the same bytes on every compile", async () => {
    const f64 = await compile(source("iris"), "iris.nn", { kernels: "wasm" });
    const f32 = await compile(source("mnist"), "mnist.nn", { kernels: "wasm", precision: "f32" });
    expect((await compile(source("iris"), "iris.nn", { kernels: "wasm" })).code).toBe(f64.code);
    expect(await typeErrorsOfEach([f64.code, f32.code])).toEqual([[], []]);
    expect(f64.code).toMatch(/^const wasmKernels: WasmKernels<WasmExports> = loadWasmKernels\("iris", /m);
    expect(f64.code).not.toMatch(/^import /m);
    const js = await compile(source("iris"), "iris.nn", { kernels: "wasm", language: "js" });
    const mod = await importCode(js.code, "js");
    const ts = await importCode(f64.code);
    const x = [5.1, 3.5, 1.4, 0.2];
    expect(Array.from(mod.predict(mod.init(2), x))).toEqual(Array.from(ts.predict(ts.init(2), x)));
  });

  it("--emit wat names every function the bytes export", () => {
    const { program } = lowerSource(source("mnist"), "mnist.nn", { kernels: "wasm", precision: "f32" });
    const module = program.wasm!.module;
    const bytes = new TextDecoder("latin1").decode(encodeModule(module));
    expect(module.functions.length).toBeGreaterThanOrEqual(5);
    for (const fn of module.functions) expect(bytes).toContain(fn.name);
    expect(new WebAssembly.Module(encodeModule(module))).toBeInstanceOf(WebAssembly.Module);
  });
});

describe("--kernels auto", () => {
  it("gives batched models of 1,000 flops and more WebAssembly and keeps small models in JavaScript", () => {
    const kernelsOf = (name: string, batch: "auto" | "always" = "auto") => lowerSource(source(name), `${name}.nn`, { kernels: "auto", batch }).program;
    expect(kernelsOf("mnist").wasm).toBeDefined();
    expect(kernelsOf("iris_regularized").flops.predict).toBeGreaterThan(1000);
    expect(kernelsOf("iris_regularized").wasm).toBeDefined();
    // Per-sample kernels (small models under --batch auto), and batched ones too small to gain.
    expect(kernelsOf("xor").batched).toBe(false);
    expect(kernelsOf("xor").wasm).toBeUndefined();
    expect(kernelsOf("xor", "always").batched).toBe(true);
    expect(kernelsOf("xor", "always").wasm).toBeUndefined();
  });
});

describe("the WebAssembly encoder and the SIMD feature test", () => {
  it("the runtime's SIMD probe is what the encoder writes for its one f64x2 function, and Node accepts it", () => {
    const probe = encodeModule({
      pages: 1,
      functions: [
        { name: "probe", params: [], locals: [["v", "v128"]], doc: "", body: [set("v", op("f64x2.add", op("f64x2.splat", fconst("f64", 1)), op("f64x2.mul", get("v"), get("v"))))] },
      ],
    });
    expect(Array.from(simdProbe())).toEqual(Array.from(probe));
    expect(WebAssembly.validate(simdProbe() as Uint8Array<ArrayBuffer>)).toBe(true);
  });
});

describe("a host without WebAssembly SIMD", () => {
  const validate = WebAssembly.validate;
  afterEach(() => {
    WebAssembly.validate = validate;
  });
  const x = [5.1, 3.5, 1.4, 0.2];

  it("without SIMD (feature test false) the JavaScript kernels run, and ready() says so", async () => {
    const code = (await compile(source("iris"), "iris.nn", { kernels: "wasm" })).code;
    // The same JavaScript kernels (the wasm module's fallback), so the same numbers bit for bit.
    const reference = await importCode((await compile(source("iris"), "iris.nn", { batch: "always" })).code);
    WebAssembly.validate = () => false;
    const fallback = (await importCode(code)) as WasmModule;
    expect(await fallback.ready()).toBe("js");
    const p = fallback.init(4);
    expect(Array.from(fallback.predict(p, x))).toEqual(Array.from(reference.predict(p, x)));
  });
});
