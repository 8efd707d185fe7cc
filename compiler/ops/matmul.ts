// Matrix @ matrix, either operand transposed on the fly (attributes ta, tb), so that the
// derivatives are matrix products too without ever materializing a transpose.
//
//   matmul(A[m, k], B[k, n]) -> [m, n]        vjp: Ā = G Bᵀ,  B̄ = Aᵀ G
//   matmul(A, B; tb) = A Bᵀ                   vjp: Ā = G B,   B̄ = Gᵀ A

import { type Expr, assign, binary, decl, loop, num, sum, v } from "../ir/code.js";
import type { Graph } from "../ir/graph.js";
import { type Attrs, type Node, type Shape, ShapeError, shapeText, sizeOf } from "../ir/node.js";
import { forEachIndex } from "./loops.js";
import type { Index, StructuralOp } from "./op-def.js";

const flag = (attrs: Attrs, key: string) => attrs[key] === true;

/** [rows, cols] of an operand as it enters the product. */
function oriented(shape: Shape, transposed: boolean): [number, number] {
  const [r, c] = shape as [number, number];
  return transposed ? [c, r] : [r, c];
}

/** A @ B with transposition flags, as a node (the flags left out when false, so the common form prints plainly). */
export function matmulNode(graph: Graph, a: Node, b: Node, ta: boolean, tb: boolean): Node {
  return graph.node("matmul", [a, b], { ...(ta ? { ta: true } : {}), ...(tb ? { tb: true } : {}) });
}

export const matmul: StructuralOp = {
  name: "matmul",
  kind: "structural",
  shape: ([a, b], attrs) => {
    if (a!.length !== 2 || b!.length !== 2) throw new ShapeError(`'@' of two matrices needs two matrices, got ${shapeText(a!)} @ ${shapeText(b!)}`);
    const [m, k] = oriented(a!, flag(attrs, "ta"));
    const [k2, n] = oriented(b!, flag(attrs, "tb"));
    if (k !== k2) throw new ShapeError(`shape mismatch in '@': ${shapeText(a!)} @ ${shapeText(b!)}: inner sizes ${k} and ${k2} differ`);
    return [m, n];
  },
  evaluate: ([a, b], attrs, [as, bs]) => {
    const [ta, tb] = [flag(attrs, "ta"), flag(attrs, "tb")];
    const [m, k] = oriented(as!, ta);
    const [, n] = oriented(bs!, tb);
    const A = (i: number, j: number) => (ta ? a![j * m + i]! : a![i * k + j]!);
    const B = (i: number, j: number) => (tb ? b![j * k + i]! : b![i * n + j]!);
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) out[i * n + j]! += A(i, q) * B(q, j);
    return out;
  },
  // m·k elements of A, each multiplied into n outputs.
  flops: ([a], shape) => 2 * shape[1]! * sizeOf(a!),
  vjp: (g, node, graph) => {
    const [a, b] = node.inputs as [Node, Node];
    const [ta, tb] = [flag(node.attrs, "ta"), flag(node.attrs, "tb")];
    if (!ta && !tb) return [matmulNode(graph, g, b, false, true), matmulNode(graph, a, g, true, false)];
    if (!ta && tb) return [matmulNode(graph, g, b, false, false), matmulNode(graph, g, a, true, false)];
    if (ta && !tb) return [matmulNode(graph, b, g, false, true), matmulNode(graph, a, g, false, false)];
    return [matmulNode(graph, b, g, true, true), matmulNode(graph, g, a, true, true)];
  },
  math: ([a, b], attrs) => `${a}${flag(attrs, "ta") ? "ᵀ" : ""} ${b}${flag(attrs, "tb") ? "ᵀ" : ""}`,
  lower: (ctx) => {
    const [ta, tb] = [flag(ctx.attrs, "ta"), flag(ctx.attrs, "tb")];
    const [m, k] = oriented(ctx.inputShapes[0]!, ta);
    const n = ctx.shape[1]!;
    const A = (i: Index, q: Index) => ctx.elem(0, ta ? [q, i] : [i, q]);
    const B = (q: Index, j: Index) => ctx.elem(1, tb ? [j, q] : [q, j]);
    if (ctx.unrolled) {
      return forEachIndex(ctx, [m, n], ([i, j]) => {
        const terms: Expr[] = [];
        for (let q = 0; q < k; q++) terms.push(binary("*", A(i!, q), B(q, j!)));
        return [ctx.define([i!, j!], sum(terms))];
      });
    }
    const [i, j, q, s] = [ctx.fresh("i"), ctx.fresh("j"), ctx.fresh("k"), ctx.fresh("s")];
    return [
      loop(i, 0, m, [
        loop(j, 0, n, [decl("let", s, num(0)), loop(q, 0, k, [assign(s, "+=", binary("*", A(v(i), v(q)), B(v(q), v(j))))]), ctx.define([v(i), v(j)], v(s))]),
      ]),
    ];
  },
};
