// Reductions and normalizations over a whole tensor: sum, softmax, log-softmax,
// log-sum-exp. The last three subtract the maximum first, so logits of ±1000 stay finite.
//
//   sum        x[n] -> []     vjp: broadcast(g)
//   softmax    z[n] -> [n]    vjp: y ⊙ (g − Σ g⊙y)
//   logsoftmax z[n] -> [n]    vjp: g − softmax(z) Σg
//   logsumexp  z[n] -> []     vjp: g softmax(z)

import { type Expr, type Stmt, assign, binary, call, decl, loop, num, sum as sumOf, v } from "../ir/code.js";
import { type Shape, ShapeError, shapeText, sizeOf } from "../ir/node.js";
import { forEachIndex } from "./loops.js";
import type { LowerContext, StructuralOp } from "./op-def.js";

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
function shiftedExpSum(ctx: LowerContext, n: number, keepExp: boolean): { stmts: Stmt[]; m: string; s: string; e: (i: number) => Expr } {
  const m = ctx.fresh("max");
  const s = ctx.fresh("sum");
  if (ctx.unrolled) {
    const z = (i: number) => ctx.elem(0, [i]);
    const es = Array.from({ length: n }, () => ctx.fresh("e"));
    const stmts = [
      decl("const", m, n === 1 ? z(0) : call("Math.max", ...Array.from({ length: n }, (_, i) => z(i)))),
      ...es.map((e, i) => decl("const", e, call("Math.exp", binary("-", z(i), v(m))))),
      decl("const", s, sumOf(es.map(v))),
    ];
    return { stmts, m, s, e: (i) => v(es[i]!) };
  }
  const i = ctx.fresh("i");
  const e = ctx.fresh("e");
  const z = ctx.elem(0, [v(i)]);
  const stmts = [
    decl("let", m, num(-Infinity)),
    loop(i, 0, n, [assign(m, "=", call("Math.max", v(m), z))]),
    decl("let", s, num(0)),
    keepExp
      ? loop(i, 0, n, [decl("const", e, call("Math.exp", binary("-", z, v(m)))), ctx.store([v(i)], "=", v(e)), assign(s, "+=", v(e))])
      : loop(i, 0, n, [assign(s, "+=", call("Math.exp", binary("-", z, v(m))))]),
  ];
  return { stmts, m, s, e: () => num(0) };
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
      const terms: Expr[] = [];
      forEachIndex(ctx, shape, (idx) => {
        terms.push(ctx.elem(0, idx));
        return [];
      });
      return [ctx.define([], sumOf(terms))];
    }
    const s = ctx.fresh("s");
    return [decl("let", s, num(0)), ...forEachIndex(ctx, shape, (idx) => [assign(s, "+=", ctx.elem(0, idx))]), ctx.define([], v(s))];
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
    const { stmts, s, e } = shiftedExpSum(ctx, n, true);
    const r = ctx.fresh("inv");
    stmts.push(decl("const", r, binary("/", num(1), v(s))));
    if (ctx.unrolled) {
      for (let i = 0; i < n; i++) stmts.push(ctx.define([i], binary("*", e(i), v(r))));
    } else {
      const i = ctx.fresh("i");
      stmts.push(loop(i, 0, n, [ctx.store([v(i)], "*=", v(r))]));
    }
    return stmts;
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
    const { stmts, m, s } = shiftedExpSum(ctx, n, false);
    const lse = ctx.fresh("lse");
    stmts.push(decl("const", lse, binary("+", v(m), call("Math.log", v(s)))));
    stmts.push(...forEachIndex(ctx, [n], ([i]) => [ctx.define([i!], binary("-", ctx.elem(0, [i!]), v(lse)))]));
    return stmts;
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
    const { stmts, m, s } = shiftedExpSum(ctx, n, false);
    stmts.push(ctx.define([], binary("+", v(m), call("Math.log", v(s)))));
    return stmts;
  },
};
