// The generated hot functions are really optimized by V8: each example's committed module (and
// a CNN compiled here) is transpiled to JavaScript, loaded in a child `node --allow-natives-syntax`,
// warmed up, and %GetOptimizationStatus must show TurboFan for every kernel (forward, backward,
// batched, the fused training step),
// and keep showing it call after call,
// the trainer's step and the optimizer's step. A control proves the check can fail: a
// model forced to unroll past V8's bytecode limit is never optimized.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { EXAMPLES, ROOT } from "../../scripts/examples.js";

const CHILD = fileURLToPath(new URL("./optimization-child.mjs", import.meta.url));
const dir = join(tmpdir(), `nnc-perf-${process.pid}`);

interface Status {
  turbofan: boolean;
  status: number;
  calls: number;
  stable: boolean;
}

/**
 * The kernel functions of a generated module: every top-level `function NAMESample…` / `NAMERows`,
 * and the fused `trainStep` (with --kernels wasm, also the kernels its wrappers call, `…InMemory`).
 */
export function kernelNames(code: string): string[] {
  return [...code.matchAll(/^function ((?:(?:predict|loss|grad)(?:Sample|Rows)|trainStep)(?:_\d+|InMemory)?)\(/gm)].map((m) => m[1]!);
}

async function statuses(code: string, name: string): Promise<Record<string, Status>> {
  const { ts } = await import("ts-morph");
  const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, `${js}\nexport const __probe = { ${[...kernelNames(code), "createRng"].join(", ")} };\n`);
  // Production flags (no --no-concurrent-recompilation: synchronous compiles hid a deoptimization
  // loop that concurrent on-stack replacement showed).
  const stdout = execFileSync(process.execPath, ["--allow-natives-syntax", CHILD, file], { encoding: "utf8", timeout: 300_000 });
  return JSON.parse(stdout) as Record<string, Status>;
}

describe.each(EXAMPLES)("example $name under V8", (example) => {
  it("has every kernel, the trainer step and the optimizer step optimized by TurboFan after warm-up", async () => {
    const code = readFileSync(`${ROOT}${example.generated}`, "utf8");
    const report = await statuses(code, example.name);
    const names = kernelNames(code);
    // Forward, loss and backward: per-sample kernels (small models) or batched ones (the rest).
    const kinds = new Set(names.filter((n) => !n.startsWith("trainStep")).map((n) => n.replace(/(Sample|Rows).*$/, "")));
    expect([...kinds].sort()).toEqual(["grad", "loss", "predict"]);
    for (const fn of [...names, "trainer.step", "optimizer.step"]) {
      expect(report[fn], `${fn} missing from the report`).toBeDefined();
      const r = report[fn]!;
      expect(r.turbofan, `${fn}: status ${r.status.toString(2)} after ${r.calls} calls${r.stable ? "" : ", deoptimized again on a later call"}`).toBe(true);
    }
  });
});

// An image model: the small CNN of the explain tests, batched (im2col, matrix products, pooling
// in row loops) and per-sample (as --batch never lowers it). (An MNIST-sized CNN reaches TurboFan
// too, but warming its trainer step up takes 1,700 steps of 8 images, 40 s: not for every run.)
const CNN = readFileSync(`${ROOT}tests/explain/models/cnn.nn`, "utf8");

describe.each([{}, { batch: "never" }] as const)("the CNN compiled with %j under V8", (options) => {
  it("has every kernel, the trainer step and the optimizer step optimized by TurboFan after warm-up", async () => {
    const { code, batched } = await compile(CNN, "cnn.nn", { ...options, format: false });
    expect(batched).toBe(options.batch !== "never");
    const report = await statuses(code, `cnn-${options.batch ?? "auto"}`);
    const names = kernelNames(code);
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const fn of [...names, "trainer.step", "optimizer.step"]) {
      const r = report[fn];
      expect(r, `${fn} missing from the report`).toBeDefined();
      expect(r!.turbofan, `${fn}: status ${r!.status.toString(2)} after ${r!.calls} calls${r!.stable ? "" : ", deoptimized again on a later call"}`).toBe(true);
    }
  });
});

// --kernels wasm: the wrappers that stage arrays (the fused step's: parameters, inputs and the
// optimizer's state), the JavaScript kernels they call, and the functions whose first line calls
// their WebAssembly twin (the products, the fused step's update products among them).
describe("iris compiled with --kernels wasm under V8", () => {
  it("has every kernel, wrapper, the trainer step and the optimizer step optimized by TurboFan after warm-up", async () => {
    const { code } = await compile(readFileSync(`${ROOT}dsl-examples/iris.nn`, "utf8"), "iris.nn", { kernels: "wasm", format: false });
    const report = await statuses(code, "iris-wasm");
    const names = kernelNames(code);
    expect(names).toContain("trainStepInMemory");
    expect(code).toMatch(/exports\.trainStep_\d+\([^)]*\bscale\b/);
    for (const fn of [...names, "trainer.step", "optimizer.step"]) {
      const r = report[fn];
      expect(r, `${fn} missing from the report`).toBeDefined();
      expect(r!.turbofan, `${fn}: status ${r!.status.toString(2)} after ${r!.calls} calls${r!.stable ? "" : ", deoptimized again on a later call"}`).toBe(true);
    }
  });
});

describe("the check itself", () => {
  it("sees a function unrolled past V8's bytecode limit stay unoptimized", async () => {
    const source = `model big\ninput x[16]\ntarget y[1]\nh = dense(x, 40, relu)\nh2 = dense(h, 8, sigmoid)\nout = dense(h2, 1, sigmoid)\nloss binary_crossentropy(out, y)\noptimizer sgd(lr = 0.1)\n`;
    const { code } = await compile(source, "big.nn", { unroll: "always", batch: "never", format: false });
    const report = await statuses(code, "big");
    expect(report["gradSample"]!.turbofan).toBe(false);
    expect(report["predictSample"]!.turbofan).toBe(true);
  });
});
