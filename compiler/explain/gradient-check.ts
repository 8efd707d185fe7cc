// `nnc check`: the generated module's grad() against central finite differences of its
// loss(), at random points, per parameter. Checks the whole chain (derivative rules,
// simplification, lowering) on the code users actually run.
//
//   const r = await checkGradients(source, "parity.nn", { points: 3, seed: 0 });
//   r.params  ->  [{ name: "W_h", maxError: 3e-10, pass: true, … }, …]
//
// With dropout, loss() (inference) is not what grad() differentiates, so the training loss
// that grad() returns is differenced instead, with the same masks replayed at every call.

import { compile } from "../compile.js";
import type { KernelsMode } from "../lower/wasm/choose.js";
import type { BatchMode, UnrollMode } from "../lower/lower.js";
import { sizeOf, topoOrder } from "../ir/node.js";
import { safeName } from "../lower/comments.js";
import type { Strategy } from "../lower/program.js";
import { type GeneratedModule, loadGeneratedModule } from "../emit/load-module.js";

export interface CheckOptions {
  points?: number;
  seed?: number;
  unroll?: UnrollMode;
  /** Check the batched kernels (always), the per-sample ones (never), or what the model gets (auto). */
  batch?: BatchMode;
  /** The matrix products in JavaScript (default), WebAssembly SIMD, or by model size: the code checked is the code `--kernels` makes. */
  kernels?: KernelsMode;
}

export interface ParamCheck {
  name: string;
  shape: number[];
  /** Elements compared over all points (up to ELEMENTS_PER_POINT per point). */
  compared: number;
  /** Elements skipped because the loss has a kink within the step (relu at 0, |x| at 0). */
  kinks: number;
  maxError: number;
  /** Where the largest error was seen. */
  worst?: { point: number; index: number; analytic: number; numeric: number };
  pass: boolean;
}

export interface CheckResult {
  model: string;
  points: number;
  seed: number;
  tolerance: number;
  /** What was differenced: `loss()`, or grad()'s training loss with replayed dropout masks. */
  against: "loss" | "training loss";
  /** The kernels whose grad() was checked: per sample (how lowered) or batched. */
  strategy: Strategy;
  /** Where their matrix products ran: WebAssembly SIMD (`--kernels wasm`, and this host has it) or JavaScript. */
  products: "wasm" | "js";
  params: ParamCheck[];
  pass: boolean;
}

/** Largest accepted error (see `errorOf`); a wrong derivative rule is off by far more. */
export const TOLERANCE = 1e-5;
/** Central-difference step, relative to max(1, |value|): rounding error ~1e-10·|loss|, truncation ~1e-11. */
const STEP = 1e-5;
/** How much smaller the step that confirms a failure is (rounding error then ~2e-9·|loss|). */
const FINER_STEP = 16;
/** Checked elements of each parameter per point, chosen at random when it has more. */
const ELEMENTS_PER_POINT = 64;

/**
 * |analytic − numeric| / max(|analytic|, |numeric|, floor): relative, except for components
 * so small that rounding in the difference quotient dominates (floor scales with the loss).
 */
function errorOf(analytic: number, numeric: number, loss: number): number {
  const floor = 1e-4 * Math.max(1, Math.abs(loss));
  const diff = Math.abs(analytic - numeric);
  if (Number.isNaN(diff)) return Infinity;
  return diff === 0 ? 0 : diff / Math.max(Math.abs(analytic), Math.abs(numeric), floor);
}

/** xorshift32: small, seeded, independent of the runtime's generator. */
function random(seed: number): () => number {
  let s = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** An Rng for grad() that draws the same dropout masks every time it is created anew. */
function replayRng(seed: number) {
  const u = random(seed);
  return { uniform: u, normal: () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()), int: (n: number) => Math.floor(u() * n) };
}

/** A random target of the kind the loss expects (0/1, one-hot, class index, or real values), of any shape. */
function randomTarget(mod: GeneratedModule, u: () => number): number[] {
  // Sizes of any rank: an image target or output is [height, width, channels].
  const n = sizeOf(mod.model.target.shape);
  const classes = sizeOf(mod.model.output.shape);
  switch (mod.model.accuracy) {
    case "binary":
      return Array.from({ length: n }, () => (u() < 0.5 ? 0 : 1));
    case "categorical": {
      const k = Math.floor(u() * n);
      return Array.from({ length: n }, (_, i) => (i === k ? 1 : 0));
    }
    case "sparse_categorical":
      return [Math.floor(u() * classes)];
    default:
      return Array.from({ length: n }, () => u() * 2 - 1);
  }
}

function pick(size: number, u: () => number): number[] {
  if (size <= ELEMENTS_PER_POINT) return Array.from({ length: size }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < ELEMENTS_PER_POINT) chosen.add(Math.floor(u() * size));
  return [...chosen].sort((a, b) => a - b);
}

export async function checkGradients(source: string, file: string, opts: CheckOptions = {}): Promise<CheckResult> {
  const points = opts.points ?? 3;
  const seed = opts.seed ?? 0;
  const compiled = await compile(source, file, {
    format: false,
    ...(opts.unroll ? { unroll: opts.unroll } : {}),
    ...(opts.batch ? { batch: opts.batch } : {}),
    ...(opts.kernels ? { kernels: opts.kernels } : {}),
  });
  const dropout = topoOrder([compiled.derived.trainLoss]).some((n) => n.op === "dropout_mask");
  const mod = await loadGeneratedModule(compiled.code);
  // A module with WebAssembly kernels says which run once they are compiled (at load, in Node).
  const ready = (mod as { ready?: () => Promise<"wasm" | "js"> }).ready;
  const products = ready ? await ready() : "js";
  // Generated grad() takes the Rng that draws dropout masks as an optional fifth argument.
  const grad = mod.grad as (p: Float64Array, x: ArrayLike<number>, y: ArrayLike<number>, g: Float64Array, rng: ReturnType<typeof replayRng>) => number;
  const u = random(seed);
  const results: ParamCheck[] = mod.model.params.map((p) => ({ name: p.name, shape: [...p.shape], compared: 0, kinks: 0, maxError: 0, pass: true }));

  for (let point = 0; point < points; point++) {
    // Initial values as the model file declares them, moved off exact zeros and symmetries.
    const params = mod.init(seed * 1000 + point);
    for (let i = 0; i < params.length; i++) params[i] = params[i]! + 0.2 * (u() * 2 - 1);
    const x = Array.from({ length: sizeOf(mod.model.input.shape) }, () => u() * 4 - 2);
    const y = randomTarget(mod, u);
    const maskSeed = Math.floor(u() * 2 ** 31);
    const analytic = new Float64Array(params.length);
    grad(params, x, y, analytic, replayRng(maskSeed));
    const scratch = new Float64Array(params.length);
    const f = dropout ? () => grad(params, x, y, scratch, replayRng(maskSeed)) : () => mod.loss(params, x, y);
    const f0 = f();

    mod.model.params.forEach((p, k) => {
      const r = results[k]!;
      for (const i of pick(p.size, u)) {
        const at = p.offset + i;
        const keep = params[at]!;
        /** The central difference with step h, or undefined at a kink inside [v − h, v + h]. */
        const difference = (h: number): number | undefined => {
          params[at] = keep + h;
          const up = f();
          params[at] = keep - h;
          const down = f();
          params[at] = keep;
          // A kink shows as one-sided slopes that disagree.
          const [left, right] = [(f0 - down) / h, (up - f0) / h];
          return Math.abs(right - left) > Math.max(1e-4, 1e-3 * Math.abs(left + right)) ? undefined : (up - down) / (2 * h);
        };
        const h = STEP * Math.max(1, Math.abs(keep));
        let numeric = difference(h);
        // A kink whose jump is too small to see in the one-sided slopes (one of the 784 relu units
        // a first-layer 3×3 kernel element of the MNIST CNN feeds; a max-pooling tie) still moves the central
        // difference by half its jump. A true derivative does not depend on the step, so a failure
        // is confirmed with a step 16 times smaller, which such a kink is 16 times less likely to meet.
        if (numeric !== undefined && errorOf(analytic[at]!, numeric, f0) > TOLERANCE) {
          const finer = difference(h / FINER_STEP);
          if (finer === undefined || errorOf(analytic[at]!, finer, f0) <= TOLERANCE) numeric = undefined;
        }
        if (numeric === undefined) {
          r.kinks++;
          continue;
        }
        const e = errorOf(analytic[at]!, numeric, f0);
        r.compared++;
        if (r.worst === undefined || e > r.maxError) {
          r.maxError = e;
          r.worst = { point, index: i, analytic: analytic[at]!, numeric };
        }
      }
    });
  }
  for (const r of results) r.pass = r.maxError <= TOLERANCE && r.compared > 0;
  return {
    model: mod.model.name,
    points,
    seed,
    tolerance: TOLERANCE,
    against: dropout ? "training loss" : "loss",
    strategy: compiled.strategy,
    products,
    params: results,
    pass: results.every((r) => r.pass),
  };
}

/** The report `nnc check` prints. */
export function checkText(file: string, r: CheckResult): string {
  const against = r.against === "loss" ? "central differences of loss()" : "central differences of grad()'s training loss (dropout masks replayed)";
  const kernels = (r.strategy === "batched" ? "batched kernels" : `per-sample kernels (${r.strategy})`) + (r.products === "wasm" ? ", matrix products in WebAssembly SIMD" : "");
  const nameW = Math.max(5, ...r.params.map((p) => p.name.length));
  const shapes = r.params.map((p) => `[${p.shape.join(", ")}]`);
  const shapeW = Math.max(5, ...shapes.map((s) => s.length));
  const lines = [
    `nnc check ${safeName(file)}: generated grad() against ${against}`,
    `${r.points} random point${r.points === 1 ? "" : "s"} (seed ${r.seed}), tolerance ${r.tolerance.toExponential(0)} (relative error), ${kernels}`,
    ``,
    `  ${"param".padEnd(nameW)}  ${"shape".padEnd(shapeW)}  ${"checked".padStart(7)}  max error`,
  ];
  r.params.forEach((p, i) => {
    const kinks = p.kinks > 0 ? `  (${p.kinks} skipped at kinks)` : "";
    const worst = !p.pass && p.worst ? `  at element ${p.worst.index}, point ${p.worst.point}: grad ${p.worst.analytic.toPrecision(6)}, differences ${p.worst.numeric.toPrecision(6)}` : "";
    const err = p.compared === 0 ? "   —     " : p.maxError.toExponential(2).padStart(9);
    lines.push(`  ${p.name.padEnd(nameW)}  ${shapes[i]!.padEnd(shapeW)}  ${String(p.compared).padStart(7)}  ${err}  ${p.pass ? "PASS" : "FAIL"}${kinks}${worst}`);
  });
  const failed = r.params.filter((p) => !p.pass).length;
  lines.push(``, failed === 0 ? `PASS: ${r.params.length} of ${r.params.length} parameters` : `FAIL: ${failed} of ${r.params.length} parameters`, ``);
  return lines.join("\n");
}
