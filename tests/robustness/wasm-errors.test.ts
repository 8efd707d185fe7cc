// Errors of `--kernels wasm` (docs/errors.md C10, R12): command lines that cannot give
// WebAssembly kernels, a model whose kernels need more than one WebAssembly memory holds, and
// in a generated module, a kernel called while its WebAssembly still compiles in the background
// (a browser's main thread: ready() first) or a memory the host cannot allocate.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { importCode } from "../helpers/generated.js";

const NNC = fileURLToPath(new URL("../../bin/nnc.js", import.meta.url));
const IRIS = readFileSync(new URL("../../dsl-examples/iris.nn", import.meta.url), "utf8");
const dir = mkdtempSync(join(tmpdir(), "nnc-wasm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "iris.nn"), IRIS);
writeFileSync(join(dir, "xor.nn"), readFileSync(new URL("../../dsl-examples/xor.nn", import.meta.url), "utf8"));
// 99 million parameters: its staging areas and 8 rows of its 9-million-wide layer pass 4 GiB.
writeFileSync(join(dir, "wide.nn"), "model wide\ninput x[9]\ntarget y[1]\nh = dense(x, 9000000, relu)\nout = dense(h, 1)\nloss mse(out, y)\n");

function nnc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NNC, ...args], { cwd: dir, env: { ...process.env, NNC_DEBUG: "" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("nnc --kernels wasm on the command line", () => {
  it.each([
    { args: ["iris.nn", "-o", "iris.ts", "--kernels", "wasm", "--batch", "never"], code: 2, stderr: /^nnc: error: --kernels wasm runs the matrix products of batched kernels: it cannot be combined with --batch never\. See 'nnc help compile'\.\n$/ },
    { args: ["check", "iris.nn", "--kernels", "wasm", "--batch", "never"], code: 2, stderr: /^nnc: error: --kernels wasm runs the matrix products of batched kernels: it cannot be combined with --batch never\. See 'nnc help check'\.\n$/ },
    {
      args: ["curvature", "iris.nn", "--data", "iris", "--kernels", "wasm"],
      code: 2,
      stderr: /^nnc: error: --kernels does not apply to nnc curvature: its Hessian-vector products run per sample in JavaScript, whatever the kernels\. See 'nnc help curvature'\.\n$/,
    },
    { args: ["iris.nn", "--emit", "wat"], code: 2, stderr: /^nnc: error: --emit wat prints WebAssembly kernels: add --kernels wasm\. See 'nnc help compile'\.\n$/ },
    { args: ["iris.nn", "--kernels", "webgpu", "-o", "iris.ts"], code: 2, stderr: /^nnc: error: --kernels must be one of js, wasm, auto, got 'webgpu'/ },
    { args: ["xor.nn", "--kernels", "auto", "--emit", "wat"], code: 1, stderr: /^nnc: error: --emit wat: --kernels auto kept xor\.nn's kernels in JavaScript \(too small to gain\); use --kernels wasm\n$/ },
    {
      args: ["wide.nn", "--kernels", "wasm", "-o", "wide.ts"],
      code: 1,
      stderr: /^nnc: error: --kernels wasm: the kernels' WebAssembly memory would take \d+\.\d GiB \(\d+ pages of 64 KiB: .*more than one WebAssembly memory holds \(4 GiB, 65536 pages\); use --kernels js\n$/,
    },
  ])("[C10] nnc $args", async ({ args, code, stderr }) => {
    const run = await nnc(args);
    expect(run.stderr).toMatch(stderr);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe("");
  });

  it("[C10] --emit wat with --kernels wasm prints the module as text", async () => {
    const run = await nnc(["iris.nn", "--kernels", "wasm", "--emit", "wat"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\(module\n {2}\(import "env" "memory" \(memory \d+ \d+\)\)\n/);
    expect(run.stdout).toContain(`(func $predictRows_1 (export "predictRows_1")`);
  });
});

describe("a generated module with WebAssembly kernels", () => {
  const saved = { Module: WebAssembly.Module, Memory: WebAssembly.Memory };
  afterEach(() => {
    (WebAssembly as { Module: unknown }).Module = saved.Module;
    (WebAssembly as { Memory: unknown }).Memory = saved.Memory;
  });
  const x = [5.1, 3.5, 1.4, 0.2];

  it("[R12] a kernel called before ready() where WebAssembly compiles only in the background; once ready, it runs", async () => {
    const code = (await compile(IRIS, "iris.nn", { kernels: "wasm" })).code;
    // A browser's main thread refuses to compile a module over 4 KB synchronously.
    (WebAssembly as { Module: unknown }).Module = function () {
      throw new RangeError("WebAssembly.Module(): Buffer size is over 4 KB, use WebAssembly.compile");
    };
    const mod = (await importCode(code)) as Awaited<ReturnType<typeof importCode>> & { ready(): Promise<string> };
    (WebAssembly as { Module: unknown }).Module = saved.Module;
    const p = mod.init(4);
    expect(() => mod.predict(p, x)).toThrow(/^iris: its WebAssembly kernels are still compiling: await ready\(\) before the first prediction or training step/);
    expect(() => mod.fit(p, [x], [[1, 0, 0]])).toThrow(/still compiling: await ready\(\)/);
    expect(await mod.ready()).toBe("wasm");
    const reference = await importCode(code);
    expect(Array.from(mod.predict(p, x))).toEqual(Array.from(reference.predict(p, x)));
  });

  it("[R12] a memory the host cannot allocate", async () => {
    const code = (await compile(IRIS, "iris.nn", { kernels: "wasm" })).code;
    (WebAssembly as { Memory: unknown }).Memory = function () {
      throw new RangeError("WebAssembly.Memory(): could not allocate memory");
    };
    await expect(importCode(code)).rejects.toThrow(/^iris: cannot allocate the \d+\.\d MiB of WebAssembly memory its kernels use: RangeError: /);
  });
});
