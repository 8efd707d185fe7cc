// Every op's lowering computes what its evaluation does, whatever storage the plan gives its
// operands: a parameter (a leaf read in place), a computed value (a local per element when
// unrolled, a buffer in loops, or fused into the op's own expression), or an index map fused
// in (a broadcast, a reshape), and whether the op is unrolled or looped. (Once max_pool2d_select
// read its operand at a runtime offset, which an unrolled local cannot be read at: a crash.)
// Window ops (convolutions, pooling) test the image's bounds only where a window can leave it.

import { describe, expect, it } from "vitest";
import { printStatements } from "../../compiler/print/typescript.js";
import { v } from "../../compiler/ir/code.js";
import type { Graph } from "../../compiler/ir/graph.js";
import { type Node, type Shape, sizeOf } from "../../compiler/ir/node.js";
import { newGraph } from "../../compiler/ops/registry.js";
import { evaluate } from "../../compiler/interpret.js";
import { Buffers } from "../../compiler/lower/buffers.js";
import { Namer } from "../../compiler/lower/namer.js";
import { computeOrder, nodeLowerer } from "../../compiler/lower/node-lowering.js";
import { type PlanOptions, planStorage } from "../../compiler/lower/plan.js";
import { normalCdf } from "../../runtime/special.js";
import { relError, testRandom } from "../helpers/fd.js";
import { CASES, type Domain, sample } from "../helpers/op-cases.js";

/** How an operand of the op is made from a parameter `a<i>`, and the parameter's shape and values. */
interface Operand {
  name: string;
  shape(s: Shape): Shape;
  make(g: Graph, a: Node, s: Shape): Node;
  /** A parameter value giving an operand value in the domain. */
  value(random: () => number, domain: Domain): number;
}

const OPERANDS: Operand[] = [
  { name: "a parameter", shape: (s) => s, make: (_g, a) => a, value: sample },
  { name: "a computed value", shape: (s) => s, make: (g, a) => g.neg(a), value: (r, d) => -sample(r, d) },
  { name: "a broadcast", shape: (s) => s.slice(-1), make: (g, a, s) => (s.length === 0 ? a : g.broadcast(a, s)), value: sample },
  { name: "a reshape", shape: (s) => [sizeOf(s)], make: (g, a, s) => g.node("reshape", [a], { shape: s.join("x") }), value: sample },
];

const MODES: [string, PlanOptions["locals"], boolean][] = [
  ["unrolled, locals", "all", true],
  ["unrolled, buffers", "none", true],
  ["loops, scalar locals", "scalars", false],
  ["loops, buffers", "none", false],
];

/** Runs the lowered code of `root` (params in `p`, the result in `out`) and returns `out`. */
function run(root: Node, values: Map<string, Float64Array>, params: { name: string; size: number }[], locals: PlanOptions["locals"], unrolled: boolean): Float64Array {
  const names = new Map<number, string>();
  const namer = new Namer(["p", "out"]);
  const scope = namer.fork();
  const plan = planStorage([root], { locals, names, namer: scope });
  const offsets = new Map<string, number>();
  let total = 0;
  for (const p of params) {
    offsets.set(p.name, total);
    total += p.size;
  }
  const buffers = new Buffers(namer, names);
  const binding = { input: { array: "x", offset: v("xo") }, target: { array: "y", offset: v("yo") }, params: { array: "p", offsets }, buffers };
  const lowerer = nodeLowerer(plan, binding, () => unrolled, "t.nn", (hint) => scope.fresh(hint));
  const blocks = computeOrder(plan.order).flatMap((n) => lowerer.lowerNode(n)?.block ?? []);
  blocks.push(lowerer.lowerSink({ kind: "store", node: root, array: "out", offset: 0, comment: "out" }));
  const declarations = buffers.list().map((b) => `const ${b.name} = new Float64Array(${b.length});`);
  const body = [...declarations, ...printStatements(blocks, "", false)].join("\n");
  const p = new Float64Array(total);
  for (const q of params) p.set(values.get(q.name)!, offsets.get(q.name)!);
  const out = new Float64Array(sizeOf(root.shape));
  // The runtime helpers an op's code may call (docs/runtime.md), as the module bundles them.
  new Function("p", "out", "normalCdf", body)(p, out, normalCdf);
  return out;
}

describe.each(OPERANDS)("ops on $name", (operand) => {
  describe.each(MODES)("lowered %s", (_mode, locals, unrolled) => {
    it.each(CASES.map((c, i) => [`${c.op}(${c.shapes.map((s) => `[${s.join(",")}]`).join(", ")}) #${i}`, c] as const))("%s computes what it evaluates to", (_label, c) => {
      const g = newGraph();
      const random = testRandom(17);
      const values = new Map<string, Float64Array>();
      const params: { name: string; size: number }[] = [];
      const args = c.shapes.map((s, i) => {
        const shape = operand.shape(s);
        const a = g.param(`a${i}`, shape);
        params.push({ name: `a${i}`, size: sizeOf(shape) });
        values.set(`a${i}`, Float64Array.from({ length: sizeOf(shape) }, () => operand.value(random, c.domain?.[i] ?? "any")));
        return operand.make(g, a, s);
      });
      const root = c.build(g, args);
      const want = evaluate([root], { values }).get(root.id)!;
      const got = run(root, values, params, locals, unrolled);
      expect(got.length).toBe(want.length);
      want.forEach((w, k) => expect(Number.isNaN(w) ? Number.isNaN(got[k]!) : relError(got[k]!, w) < 1e-12, `element ${k}: ${got[k]} vs ${w}`).toBe(true));
    });
  });
});

/** Windows over images [H, W, 2], and whether some window reaches past the image (worked out by hand). */
const WINDOWS = [
  { H: 6, W: 4, k: 1, s: 1, padding: "same", pads: false }, // 1×1: never
  { H: 6, W: 4, k: 2, s: 2, padding: "same", pads: false }, // out 3 × 2 windows tile 6 × 4 exactly
  { H: 5, W: 4, k: 2, s: 2, padding: "same", pads: true }, // out 3: rows 0..5, one past 5
  { H: 6, W: 4, k: 3, s: 1, padding: "same", pads: true },
  { H: 6, W: 4, k: 2, s: 2, padding: "valid", pads: false },
] as const;

/** Every window op on one window: the image x, a kernel K of 3 filters, and gradients shaped like their outputs. */
function windowOps(g: Graph, w: (typeof WINDOWS)[number]): { roots: Node[]; params: { name: string; shape: Shape }[] } {
  const params: { name: string; shape: Shape }[] = [];
  const param = (name: string, shape: Shape) => (params.push({ name, shape }), g.param(name, shape));
  const image = [w.H, w.W, 2];
  const attrs = { sh: w.s, sw: w.s, dh: 1, dw: 1, padding: w.padding };
  const pool = { ...attrs, kh: w.k, kw: w.k };
  const x = param("x", image);
  const K = param("K", [w.k, w.k, 2, 3]);
  const conv = g.node("conv2d", [x, K], attrs);
  const dy = param("dy", conv.shape);
  const patches = g.node("im2col", [x], pool);
  const pooled = g.node("max_pool2d", [x], pool);
  const dp = param("dp", pooled.shape);
  const u = param("u", image);
  const roots = [
    conv,
    g.node("conv2d_backprop_input", [dy, K], { ...attrs, shape: image.join("x") }),
    g.node("conv2d_backprop_filter", [x, dy], { ...attrs, shape: K.shape.join("x") }),
    patches,
    g.node("col2im", [param("dpatches", patches.shape)], { ...pool, shape: image.join("x") }),
    pooled,
    g.node("max_pool2d_grad", [x, dp], pool),
    g.node("max_pool2d_select", [x, u], pool),
    g.node("avg_pool2d", [x], pool),
    g.node("avg_pool2d_grad", [dp], { ...pool, shape: image.join("x") }),
  ];
  return { roots, params };
}

/** How many bounds tests (`iy >= 0 && iy < H && …`, in an `if` or a conditional) the printed code makes. */
const boundsTests = (code: string) => code.split(">= 0 && ").length - 1;

describe.each(WINDOWS)("window ops on [$H, $W, 2], window $k stride $s $padding", (w) => {
  it.each(MODES)("compute what they evaluate to, lowered %s", (_mode, locals, unrolled) => {
    const g = newGraph();
    const { roots, params } = windowOps(g, w);
    const random = testRandom(3);
    const values = new Map(params.map((p) => [p.name, Float64Array.from({ length: sizeOf(p.shape) }, () => sample(random, "any"))]));
    for (const root of roots) {
      const want = evaluate([root], { values }).get(root.id)!;
      const got = run(root, values, params.map((p) => ({ name: p.name, size: sizeOf(p.shape) })), locals, unrolled);
      want.forEach((x, k) => expect(relError(got[k]!, x), `${root.op} element ${k}`).toBeLessThan(1e-12));
      // Pooling averages as the interpreter does (the window's sum, then one division): to the last bit.
      if (root.op.startsWith("avg_pool2d")) expect(Array.from(got), root.op).toEqual(Array.from(want));
    }
  });

  it(`test the image's bounds in loops ${w.pads ? "" : "never"}`, () => {
    const g = newGraph();
    const { roots, params } = windowOps(g, w);
    const offsets = new Map(params.map((p) => [p.name, 0]));
    for (const root of roots) {
      const names = new Map<number, string>();
      const namer = new Namer();
      const plan = planStorage([root], { locals: "none", names, namer });
      const binding = { input: { array: "x", offset: v("xo") }, target: { array: "y", offset: v("yo") }, params: { array: "p", offsets }, buffers: new Buffers(namer, names) };
      const block = nodeLowerer(plan, binding, () => false, "t.nn", (h) => namer.fresh(h)).lowerNode(root)!.block;
      const code = printStatements([block]).join("\n");
      if (w.pads) expect(boundsTests(code), root.op).toBeGreaterThan(0);
      else expect(boundsTests(code), root.op).toBe(0);
      // The mean's divisor is a literal where every window is whole.
      if (!w.pads) expect(code, root.op).not.toMatch(/Math\.min/);
    }
  });
});
