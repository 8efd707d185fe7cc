// Reductions and normalizations over a whole tensor: sum, softmax, log-softmax,
// log-sum-exp. The last three subtract the maximum first, so logits of ±1000 stay finite.
//
//   sum        x[n] -> []     vjp: broadcast(g)
//   softmax    z[n] -> [n]    vjp: y ⊙ (g − Σ g⊙y)
//   logsoftmax z[n] -> [n]    vjp: g − softmax(z) Σg
//   logsumexp  z[n] -> []     vjp: g softmax(z)

import { type Shape, shapeText, sizeOf } from "../ir/node.js";
import { forEachIndex, sumTerms } from "./loops.js";
import { type LowerContext, ShapeError, type StructuralOp } from "./op-def.js";

function vectorShape(name: string, reduce: boolean) {
  return ([x]: readonly Shape[]): Shape => {
    if (x!.length !== 1) throw new ShapeError(`'${name}' needs a vector, got ${shapeText(x!)}`);
    return reduce ? [] : x!;
  };
}

function maxOf(x: Float64Array): number {
  let m = -Infinity;
  for (const v of x) m = Math.max(m, v);
  return m;
}

function logSumExp(x: Float64Array): number {
  const m = maxOf(x);
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (const v of x) s += Math.exp(v - m);
  return m + Math.log(s);
}

/**
 * Shared code for the max-shifted exponentials: declares `m` (the max) and `s` (Σ e^(z−m)),
 * and in loop mode stores e^(z−m) into the output when `keepExp` is set.
 */
function shiftedExpSum(ctx: LowerContext, n: number, keepExp: boolean): { lines: string[]; m: string; s: string; e: (i: number) => string } {
  const m = ctx.fresh("max");
  const s = ctx.fresh("sum");
  if (ctx.unrolled) {
    const z = (i: number) => ctx.elem(0, [i]);
    const es = Array.from({ length: n }, () => ctx.fresh("e"));
    const lines = [
      `const ${m} = ${n === 1 ? z(0) : `Math.max(${Array.from({ length: n }, (_, i) => z(i)).join(", ")})`};`,
      ...es.map((e, i) => `const ${e} = Math.exp(${z(i)} - ${m});`),
      `const ${s} = ${sumTerms(es)};`,
    ];
    return { lines, m, s, e: (i) => es[i]! };
  }
  const i = ctx.fresh("i");
  const e = ctx.fresh("e");
  const lines = [
    `let ${m} = -Infinity;`,
    `for (let ${i} = 0; ${i} < ${n}; ${i}++) ${m} = Math.max(${m}, ${ctx.elem(0, [i])});`,
    `let ${s} = 0;`,
    keepExp
      ? `for (let ${i} = 0; ${i} < ${n}; ${i}++) { const ${e} = Math.exp(${ctx.elem(0, [i])} - ${m}); ${ctx.out([i])} = ${e}; ${s} += ${e}; }`
      : `for (let ${i} = 0; ${i} < ${n}; ${i}++) ${s} += Math.exp(${ctx.elem(0, [i])} - ${m});`,
  ];
  return { lines, m, s, e: () => "" };
}

export const sum: StructuralOp = {
  name: "sum",
  kind: "structural",
  shape: () => [],
  evaluate: ([x]) => Float64Array.of(x!.reduce((a, b) => a + b, 0)),
  flops: ([x]) => sizeOf(x!),
  readsOnce: [true],
  vjp: (g, node, graph) => [graph.broadcast(g, node.inputs[0]!.shape)],
  math: ([x]) => `Σ ${x}`,
  lower: (ctx) => {
    const shape = ctx.inputShapes[0]!;
    if (ctx.unrolled) {
      const terms = forEachIndex(ctx, shape, (idx) => [ctx.elem(0, idx)]);
      return [ctx.define([], sumTerms(terms))];
    }
    const s = ctx.fresh("s");
    return [`let ${s} = 0;`, ...forEachIndex(ctx, shape, (idx) => [`${s} += ${ctx.elem(0, idx)};`]), ctx.define([], s)];
  },
};

export const softmax: StructuralOp = {
  name: "softmax",
  kind: "structural",
  shape: vectorShape("softmax", false),
  evaluate: ([x]) => {
    const lse = logSumExp(x!);
    return x!.map((v) => Math.exp(v - lse));
  },
  flops: ([x]) => 25 * sizeOf(x!),
  vjp: (g, node, graph) => [graph.mul(node, graph.sub(g, graph.sum(graph.mul(g, node))))],
  math: ([x]) => `softmax(${x})`,
  lower: (ctx) => {
    const n = ctx.shape[0]!;
    const { lines, s, e } = shiftedExpSum(ctx, n, true);
    const r = ctx.fresh("inv");
    lines.push(`const ${r} = 1 / ${s};`);
    if (ctx.unrolled) {
      for (let i = 0; i < n; i++) lines.push(ctx.define([i], `${e(i)} * ${r}`));
    } else {
      const i = ctx.fresh("i");
      lines.push(`for (let ${i} = 0; ${i} < ${n}; ${i}++) ${ctx.out([i])} *= ${r};`);
    }
    return lines;
  },
};

export const logsoftmax: StructuralOp = {
  name: "logsoftmax",
  kind: "structural",
  shape: vectorShape("logsoftmax", false),
  evaluate: ([x]) => {
    const lse = logSumExp(x!);
    return x!.map((v) => v - lse);
  },
  flops: ([x]) => 25 * sizeOf(x!),
  vjp: (g, node, graph) => {
    const z = node.inputs[0]!;
    return [graph.sub(g, graph.mul(graph.node("softmax", [z]), graph.sum(g)))];
  },
  math: ([x]) => `log_softmax(${x})`,
  lower: (ctx) => {
    const n = ctx.shape[0]!;
    const { lines, m, s } = shiftedExpSum(ctx, n, false);
    const lse = ctx.fresh("lse");
    lines.push(`const ${lse} = ${m} + Math.log(${s});`);
    lines.push(...forEachIndex(ctx, [n], ([i]) => [ctx.define([i!], `${ctx.elem(0, [i!])} - ${lse}`)]));
    return lines;
  },
};

export const logsumexp: StructuralOp = {
  name: "logsumexp",
  kind: "structural",
  shape: vectorShape("logsumexp", true),
  evaluate: ([x]) => Float64Array.of(logSumExp(x!)),
  flops: ([x]) => 25 * sizeOf(x!),
  vjp: (g, node, graph) => [graph.mul(graph.broadcast(g, node.inputs[0]!.shape), graph.node("softmax", [node.inputs[0]!]))],
  math: ([x]) => `logΣexp(${x})`,
  lower: (ctx) => {
    const n = ctx.inputShapes[0]![0]!;
    const { lines, m, s } = shiftedExpSum(ctx, n, false);
    lines.push(ctx.define([], `${m} + Math.log(${s})`));
    return lines;
  },
};
