// The generic training step's tail as a kernel of the module: given the gradient summed over a
// minibatch (gradRows, in chunks of maxBatch rows), the mean, the norm, the guard, clipping and
// the optimizer's update, as the runtime's trainer and optimizer.step do it (step-tail.ts holds
// the statements the fused step shares). The trainer calls it for minibatches the fused step
// does not take (more rows than its trainRows). Its two passes over the parameters are helper
// functions that carry themselves as data (Fn.sweep), so that `--kernels wasm` runs them as
// WebAssembly SIMD (wasm/sweep.ts): the update is then no JavaScript pass of its own.
//
//   applyGradient(p, g, n, lossSum, state, sc, rep)
//     const norm = Math.sqrt(applyGradient_1(g, 0, 101770, scale));       // Σ (g·scale)²
//     …guard, Adam's alpha…; if (ok) { applyGradient_2(p, g, 0, 101770, scale, alpha, m, v); sc[1] = t }

import { type Expr, type Stmt, assign, binary, block, call, callStmt, decl, load, loop, mapStmtExprs, namesUsed, num, ret, store, sum, v } from "../ir/code.js";
import { countTokens } from "./budget.js";
import type { Namer } from "./namer.js";
import { optimizerStep } from "./optimizer-step.js";
import { type Fn, type Param, SINK_INDEX, SINK_SUM } from "./program.js";
import { clipFactor, clippingOf, elementUpdate, guardAndPrepare } from "./step-tail.js";

export const APPLY_GRADIENT = "applyGradient";

/** The kernel's signature, as ModelCore.applyGradient calls it: the gradient's sum over n rows and their loss sum; state, sc and rep as the fused step's. */
export const APPLY_PARAMS: readonly Param[] = [
  ["p", "Vec"],
  ["g", "Vec"],
  ["n", "number"],
  ["lossSum", "number"],
  ["state", "readonly Vec[]"],
  ["sc", "number[]"],
  ["rep", "number[]"],
];

export interface ApplyGradientContext {
  /** The parameters' places in p, in order. */
  params: readonly { name: string; offset: number; size: number }[];
  optimizer: { name: string; options: Readonly<Record<string, number | boolean>> };
  precision: "f64" | "f32";
  namer: Namer;
}

/** Statements with the element's index and sum (SINK_INDEX, SINK_SUM) replaced by `index` and `sum`. */
function concrete(stmts: readonly Stmt[], index: Expr, sumExpr: Expr): Stmt[] {
  return mapStmtExprs(stmts, (x) => (x.k === "var" && x.name === SINK_INDEX ? index : x.k === "var" && x.name === SINK_SUM ? sumExpr : undefined));
}

/** The kernel and its two helpers (the squares pass, the update pass), or undefined for an optimizer without a generated update. */
export function applyGradient(c: ApplyGradientContext): Fn[] | undefined {
  const scope = c.namer.fork();
  const take = (hint: string) => scope.take(hint);
  const fresh = (hint: string) => scope.fresh(hint);
  const update = optimizerStep(c.optimizer.name, c.optimizer.options, { take, fresh });
  if (!update) return undefined;
  const { clipnorm, globalClipnorm, clipvalue } = clippingOf(c.optimizer.options);
  const paramCount = c.params.reduce((total, e) => total + e.size, 0);
  // Per-tensor clipping needs each tensor's norm and factor: a range per tensor; else one range, all of p.
  const ranges =
    clipnorm !== undefined
      ? c.params.map((e) => ({ name: e.name, from: e.offset, to: e.offset + e.size }))
      : [{ name: "", from: 0, to: paramCount }];

  const [scale, meanLoss, norm, ok, t] = [take("scale"), take("meanLoss"), take("norm"), take("ok"), take("t")];
  const [from, to, i, squares, gi] = [take("from"), take("to"), take("i"), take("sq"), take("gi")];
  const factor = clipnorm !== undefined || globalClipnorm !== undefined ? take("clip") : undefined;
  const clipped = factor !== undefined || clipvalue !== undefined;

  // The squares pass: Σ (g[i] · scale)² over [from, to), as the trainer's scaleAndSquare sums it.
  const squaresName = `${APPLY_GRADIENT}_1`;
  const squaresBody: Stmt[] = [
    decl("let", squares, num(0)),
    loop(i, v(from), v(to), [decl("const", gi, binary("*", load("g", v(i)), v(scale))), assign(squares, "+=", binary("*", v(gi), v(gi)))]),
    ret(v(squares)),
  ];
  const squaresFn: Fn = {
    name: squaresName,
    params: [["g", "Vec"], [from, "number"], [to, "number"], [scale, "number"]],
    returns: "number",
    body: [block("Σ of squares of the mean gradient g · scale over [from, to)", squaresBody)],
    tokens: countTokens(squaresBody),
    sweep: { kind: "squares", grad: "g", from, to, scale },
  };

  // The update pass: each element's mean, clipping and the optimizer's update, written once with
  // a symbolic index and sum (the WebAssembly twin reads them so), then over [from, to).
  const tail = { update, scale, f32: c.precision === "f32", fresh, ...(clipvalue !== undefined ? { clipvalue } : {}) };
  const statements = elementUpdate(tail, v(SINK_INDEX), v(SINK_SUM), factor);
  const used = namesUsed(statements);
  const arrays = update.arrays.filter((a) => used.has(a));
  const scalars = [scale, ...update.scalars.filter((s) => used.has(s)), ...(factor ? [factor] : [])];
  const updateName = `${APPLY_GRADIENT}_2`;
  const updateBody = [loop(i, v(from), v(to), concrete(statements, v(i), load("g", v(i))))];
  const updateFn: Fn = {
    name: updateName,
    params: [["p", "Vec"], ["g", "Vec"], [from, "number"], [to, "number"], ...scalars.map((s): Param => [s, "number"]), ...arrays.map((a): Param => [a, "Vec"])],
    returns: "void",
    body: [block(`${c.optimizer.name}'s update of p[from, to) from the mean gradient${clipped ? ", clipped" : ""}`, updateBody)],
    tokens: countTokens(updateBody),
    sweep: { kind: "update", grad: "g", from, to, statements, scalars },
  };

  // The kernel: the norm of each range, the guard and the step's numbers, the clipping factors, the update.
  // Several ranges: each tensor's sum of squares, its norm (for its clipping factor), and the
  // global norm from the sums (as the trainer sums every square into one, in another order).
  const tensorSquares = ranges.map((r) => take(`sq_${r.name}`));
  const tensorNorms = ranges.map((r) => (ranges.length === 1 ? norm : take(`norm_${r.name}`)));
  const squaresOf = (r: { from: number; to: number }) => call(squaresName, v("g"), num(r.from), num(r.to), v(scale));
  const body: Stmt[] = [
    ...arrays.map((a) => decl("const", a, load("state", update.arrays.indexOf(a)))),
    decl("const", scale, binary("/", num(1), v("n"))),
    decl("const", meanLoss, binary("*", v("lossSum"), v(scale))),
    ...(ranges.length === 1
      ? [decl("const", norm, call("Math.sqrt", squaresOf(ranges[0]!)))]
      : [
          ...ranges.flatMap((r, k) => [decl("const", tensorSquares[k]!, squaresOf(r)), decl("const", tensorNorms[k]!, call("Math.sqrt", v(tensorSquares[k]!)))]),
          decl("const", norm, call("Math.sqrt", sum(tensorSquares.map((x) => v(x))))),
        ]),
    ...guardAndPrepare({ meanLoss, norm, ok, t }, update),
  ];
  // Per-tensor clipping: each range's factor under a name of its own, passed as the update's factor.
  const rangeFactors = ranges.map((r) => (clipnorm !== undefined ? take(`clip_${r.name}`) : factor));
  if (clipnorm !== undefined) ranges.forEach((_, k) => body.push(clipFactor(rangeFactors[k]!, tensorNorms[k]!, clipnorm)));
  const apply = (r: { from: number; to: number }, k: number): Stmt => {
    const args = [v("p"), v("g"), num(r.from), num(r.to), ...scalars.map((s) => v(s === factor ? rangeFactors[k]! : s)), ...arrays.map((a) => v(a))];
    return callStmt(updateName, args);
  };
  if (globalClipnorm !== undefined) body.push(clipFactor(factor!, norm, globalClipnorm));
  body.push({ k: "if", test: v(ok), body: [...ranges.map(apply), store("sc", 1, "=", v(t))] }, ret(v(meanLoss)));
  const kernel: Fn = {
    name: APPLY_GRADIENT,
    params: APPLY_PARAMS,
    returns: "number",
    doc: "The generic training step's tail: the gradient g summed over n rows (and their loss sum) to the mean, its norm, the guard, clipping and the optimizer's update of p; returns the mean loss.",
    body,
    tokens: countTokens(body),
  };
  return [squaresFn, updateFn, kernel];
}
