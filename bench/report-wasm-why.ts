// Where a `--kernels wasm` training step spends its time (bench/function-profile.ts' profile of
// it: the WebAssembly functions, the matrix products, by their export names, and the JavaScript
// functions around them), and, when the step misses its share of the WebAssembly SIMD yardstick,
// why: the products' own rate against the yardstick and what the other parts cost (JavaScript,
// and the WebAssembly passes of the generic step's tail). Used by
// report-wasm.ts (MNIST batch 32) and report-cnn.ts (the CNN).

import type { FunctionTime } from "./function-profile.js";

const f = (x: number, d = 2) => x.toFixed(d);

export interface WasmStepProfile {
  /** "MNIST batch 32", "MNIST CNN batch 32". */
  title: string;
  /** The bench row profiled ("nnc wasm f32 step"). */
  row: string;
  profile: FunctionTime[];
  /** The model's counted flops per profiled step. */
  flopsPerStep: number;
  /** The row's timed rate and the yardstick measured just before it. */
  gflops: number;
  peak: number;
  goal: number;
  /** Rows per profiled step, and the most rows the module's fused training step takes (its `trainStepRows`; undefined: it has none). */
  batch: number;
  fusedRows: number | undefined;
}

const isWasm = (p: FunctionTime) => p.fn.startsWith("wasm ");
/** The generic step's tail's WebAssembly passes (lower/wasm/sweep.ts): no product flops. */
const isPass = (p: FunctionTime) => /^wasm applyGradient_\d+$/.test(p.fn);
/** Row loops moved into WebAssembly (lower/wasm/rows.ts: KERNEL_loopK): no product flops. */
const isRowLoop = (p: FunctionTime) => isWasm(p) && /_loop\d+$/.test(p.fn);
const isProduct = (p: FunctionTime) => isWasm(p) && !isPass(p) && !isRowLoop(p);

/** What the runtime's functions (runtime/*.ts, without a comment inside them for the profile to show) compute. */
const RUNTIME: Record<string, string> = {
  adamUpdate: "the optimizer: Adam's update of every parameter (runtime/optimizers.ts)",
  sgdUpdate: "the optimizer: SGD's update of every parameter (runtime/optimizers.ts)",
  scaleAndSquare: "the gradient scaled to the batch mean, and its squared norm (runtime/trainer.ts)",
  "(garbage collector)": "V8's garbage collector",
  "(other)": "anything else (the trainer's glue, builtins)",
  "(js-to-wasm)": "calls into WebAssembly (V8's wrappers; its sampler puts part of some called functions' time here)",
  step: "the trainer's step (runtime/trainer.ts)",
};
/** A product function's JavaScript side in a `--kernels wasm` module: it calls its WebAssembly twin. */
const PRODUCT = /^(predict|loss|grad)Rows_\d+$/;
const whatOf = (p: FunctionTime) =>
  (p.what ||
    RUNTIME[p.fn] ||
    (/RowsInMemory$/.test(p.fn) ? "the row loops between the products (bias, activations, softmax, loss, pooling)" : PRODUCT.test(p.fn) ? "the call into its WebAssembly twin" : "")).replace(/\|/g, "\\|").replace(/\s+/g, " ");

export function wasmStepWhy(s: WasmStepProfile): string[] {
  const total = s.profile.reduce((t, p) => t + p.msPerCall, 0);
  const wasmMs = s.profile.filter(isProduct).reduce((t, p) => t + p.msPerCall, 0);
  const jsFlops = s.profile.filter((p) => !isWasm(p)).reduce((t, p) => t + p.flopsPerCall, 0);
  // The products' rate: the flops they do (the model's, less what JavaScript products were counted doing) over their time.
  const wasmRate = (s.flopsPerStep - jsFlops) / (wasmMs / 1000) / 1e9;
  const out = [
    `#### Where the ${s.title} ${s.row} spends its time`,
    "",
    "V8's sampling profiler over the step (self time per function, per step; WebAssembly functions by their export names):",
    "",
    "| function | runs in | computes | ms per step | share |",
    "| --- | --- | --- | ---: | ---: |",
  ];
  for (const p of s.profile.filter((p) => p.share >= 0.005)) {
    const what = isPass(p)
      ? "the generic step's pass over the parameters: the gradient's norm, or the optimizer's update"
      : isRowLoop(p)
        ? "row loops between the products (im2col, bias, activations, pooling, col2im)"
        : isWasm(p)
          ? "matrix products"
          : whatOf(p);
    out.push(`| ${isWasm(p) ? p.fn.slice(5) : p.fn} | ${isWasm(p) ? "WebAssembly" : "JavaScript"} | ${what} | ${f(p.msPerCall, 3)} | ${f(100 * p.share, 1)}% |`);
  }
  const otherParts = s.profile.filter((p) => !isProduct(p)).sort((a, b) => b.msPerCall - a.msPerCall).slice(0, 3);
  const rest = otherParts.map((p) => `${p.fn} ${f(p.msPerCall, 3)} ms`).join(", ");
  // The row loops' largest blocks (by the model line each computes), when the profile split them.
  const blocks = otherParts
    .flatMap((p) => p.blocks)
    .filter((b) => b.msPerCall >= 0.05 * total)
    .sort((a, b) => b.msPerCall - a.msPerCall)
    .slice(0, 4);
  const blockText = blocks.map((b) => `${b.what.replace(/\s+/g, " ")} (${f(b.msPerCall, 2)} ms)`).join("; ");
  const fraction = s.gflops / s.peak;
  out.push(
    "",
    `The WebAssembly products take ${f(wasmMs, 3)} of the ${f(total, 3)} ms per step (${f((100 * wasmMs) / total, 0)}%) and do ${f((s.flopsPerStep - jsFlops) / 1e6, 1)} of the step's`,
    `${f(s.flopsPerStep / 1e6, 1)} MFLOP${jsFlops > 0 ? ` (JavaScript products do ${f(jsFlops / 1e6, 1)})` : ""}: ${f(wasmRate)} GFLOP/s, ${f((100 * wasmRate) / s.peak, 0)}% of the yardstick measured before the timed run (${f(s.peak)}).`,
  );
  if (fraction < s.goal) {
    out.push(
      "",
      `**Why the ${s.title} ${s.row} misses ${f(100 * s.goal, 0)}% of the WebAssembly SIMD yardstick (${f(100 * fraction, 1)}%, ${f(100 * (s.goal - fraction), 1)} points short):**`,
      wasmRate / s.peak >= s.goal
        ? `its matrix products alone run at ${f((100 * wasmRate) / s.peak, 0)}% of it; the step loses the rest to the parts around them,`
        : `its matrix products alone run at ${f((100 * wasmRate) / s.peak, 0)}% of it, below the goal already; the parts around them add to that,`,
      `${f((100 * (total - wasmMs)) / total, 0)}% of the step for ${jsFlops > 0 ? "few" : "none"} of its product flops, the largest: ${rest}.` +
        (blocks.length > 0 ? ` Their largest blocks (over 5% of the step each): ${blockText}.` : ""),
    );
    const optimizer = s.profile.find((p) => p.fn === "adamUpdate" || p.fn === "sgdUpdate");
    if (optimizer && optimizer.msPerCall >= 0.05 * total && s.fusedRows !== undefined && s.batch > s.fusedRows) {
      out.push(
        `At ${s.batch} rows the trainer does not take the module's fused training step (the update applied inside the weight-gradient`,
        `products), which serves up to ${s.fusedRows} rows (its \`trainStepRows\`), so the optimizer is a JavaScript pass of its own: ${optimizer.fn}, ${f(optimizer.msPerCall, 3)} ms.`,
      );
    }
  }
  return out;
}
