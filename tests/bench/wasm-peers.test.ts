// Issue 16's bench rows compute what the other rows compute (the bench itself is never timed in
// tests): nnc's `--kernels wasm` modules, compiled as the bench compiles them (compileMnistWasm)
// and trained as it trains them (a parameter vector in the module's memory, createTrainer().step),
// leave the weights nnc's JavaScript module leaves, to 1e-9 in f64 (1e-5 in f32: float32
// rounding, measured 2e-7, against moves of 2e-3 and more);
// TensorFlow.js on its wasm backend (SIMD) gives the loss its cpu backend gives after a step.

import "../helpers/tfjs-cpu.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tfjsNet, useCpu } from "../../bench/peers/tfjs.js";
import { useWasm } from "../../bench/peers/tfjs-wasm.js";
import { compileMnistWasm } from "../../bench/wasm-runs.js";
import { type Workload, sourceOf, workloads } from "../../bench/workloads.js";
import { ROOT } from "../../scripts/examples.js";
import { compileAndImport } from "../helpers/generated.js";

const all = workloads();
const byName = (name: string) => all.find((w) => w.name === name)!;
const dir = mkdtempSync(join(tmpdir(), "nnc-bench-wasm-"));
const fileOf = (example: string, precision: string) => join(dir, `${example}-${precision}.ts`);
const compiled = compileMnistWasm(fileOf);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Vec = Float64Array | Float32Array;
interface Trainable {
  init(seed: number): Vec;
  createTrainer(p: Vec): { step(X: Vec, Y: Vec, n: number): number };
  ready?(): Promise<string>;
}

/** `steps` batches of the workload from `start`, in `p` (reset to start), as the bench trains. */
function train(mod: Trainable, p: Vec, start: Float64Array, w: Workload, steps: number, Vec: typeof Float64Array | typeof Float32Array): Vec {
  p.set(start);
  const trainer = mod.createTrainer(p);
  const inn = w.net.inputSize;
  const out = w.net.layers[w.net.layers.length - 1]!.units;
  for (let s = 0; s < steps; s++) {
    const r = s * w.batch;
    trainer.step(Vec.from(w.x.subarray(r * inn, (r + w.batch) * inn)), Vec.from(w.y.subarray(r * out, (r + w.batch) * out)), w.batch);
  }
  return p;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe("nnc --kernels wasm in the bench trains as nnc's JavaScript kernels do", () => {
  const steps: Record<string, number> = { mnist32: 2, mnist1: 4, mnistsgd: 4 };
  for (const name of ["mnist32", "mnist1", "mnistsgd"]) {
    it(`${name}: f64 to 1e-9, f32 to 1e-5 (float32 rounding: measured 2e-7)`, async () => {
      await compiled;
      const w = byName(name);
      const file = sourceOf(w.example);
      const js = (await compileAndImport(readFileSync(`${ROOT}${file}`, "utf8"), file)).mod as unknown as Trainable;
      const start = js.init(w.seed) as Float64Array;
      const want = train(js, start.slice(), start, w, steps[name]!, Float64Array);
      // The weights must move, or equal weights would prove nothing.
      expect(maxDiff(want, start)).toBeGreaterThan(1e-5);
      for (const [precision, tolerance] of [["f64", 1e-9], ["f32", 1e-5]] as const) {
        const mod = (await import(pathToFileURL(fileOf(w.example, precision)).href)) as Trainable;
        expect(await mod.ready!()).toBe("wasm");
        const Vec = precision === "f64" ? Float64Array : Float32Array;
        const got = train(mod, mod.init(w.seed), start, w, steps[name]!, Vec);
        expect({ precision, diff: maxDiff(got, want) <= tolerance }).toEqual({ precision, diff: true });
      }
    });
  }
});

describe("TensorFlow.js wasm (SIMD) computes what its cpu backend computes", () => {
  it("mnist32: the loss after one step of 32 rows agrees to 1e-4", async () => {
    const w = byName("mnist32");
    const start = (await compileAndImport(readFileSync(`${ROOT}${sourceOf(w.example)}`, "utf8"), "mnist-plain.nn")).mod.init(w.seed);
    const lossAfterStep = async () => {
      const net = tfjsNet(w.net, start);
      const before = net.evaluate(w.x, w.y, 256).loss;
      await net.fit(w.x, w.y, 32, { batchSize: 32, epochs: 1 });
      const after = net.evaluate(w.x, w.y, 256).loss;
      net.dispose();
      return { before, after };
    };
    await useCpu();
    const cpu = await lossAfterStep();
    await useWasm(); // throws unless the SIMD binary loaded
    const wasm = await lossAfterStep().finally(useCpu);
    // The step must change the loss, or agreeing losses would prove nothing.
    expect(Math.abs(cpu.after - cpu.before)).toBeGreaterThan(1e-3);
    expect(Math.abs(wasm.before - cpu.before)).toBeLessThan(1e-4);
    expect(Math.abs(wasm.after - cpu.after)).toBeLessThan(1e-4);
  });
});
