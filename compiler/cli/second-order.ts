// `nnc grad --order 2`: the second derivative of the loss, as the Hessian-vector product the
// compiler derives (passes/curvature.ts): with s = ⟨∂L/∂θ, v⟩, (H v)_W = ∂s/∂W, by
// differentiating the simplified gradient again. Printed as equations like `nnc grad`: the
// forward values, the gradient steps it reuses, then the second pass (∂s/∂u for each value u).
//
//   nnc grad parity.nn --order 2 --wrt W_out
//     ∂s/∂δz_out  = v_W_out h                        [1]
//     ∂s/∂z_out   = ∂s/∂δz_out ⊙ out ⊙ (1 − out)     [1]
//     (H v)_W_out = ∂s/∂z_out ⊗ h                    [1, 2]

import type { Model } from "../elaborate/model.js";
import { type Node, topoOrder } from "../ir/node.js";
import { printGraph } from "../ir/print.js";
import type { Derived } from "../passes/simplify.js";
import { curvature } from "../passes/curvature.js";
import { MathPrinter } from "../explain/math.js";
import { mathName } from "../explain/names.js";
import { fileLabel } from "../explain/grad-text.js";
import type { Program } from "../lower/program.js";
import { printFunction } from "../print/typescript.js";
import { safeText } from "../lower/comments.js";

const MAX_INLINE_DEPTH = 24;
const width = (s: string) => [...s].length;
const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - width(s)));

interface Row {
  lhs: string;
  rhs: string;
  shape: string;
  line: string;
}

function table(rows: readonly Row[]): string[] {
  const [l, r, s] = [Math.max(...rows.map((x) => width(x.lhs))), Math.min(48, Math.max(...rows.map((x) => width(x.rhs)))), Math.max(...rows.map((x) => width(x.shape)))];
  return rows.map((x) => `  ${pad(x.lhs, l)} = ${pad(x.rhs, r)}  ${pad(x.shape, s)}  ${x.line}`.trimEnd());
}

/** The derivation of H v for the parameters `wanted`, as text. */
export function secondOrderMath(model: Model, derived: Derived, wanted: readonly string[]): string {
  const c = curvature(derived, wanted);
  const file = fileLabel(model.file);
  const roots = c.params.map((p) => c.hvp.get(p)!);
  const all = topoOrder(roots);
  const uses = new Map<number, number>();
  for (const n of all) for (const i of n.inputs) uses.set(i.id, (uses.get(i.id) ?? 0) + 1);
  const directionIds = new Set([...c.directions.values()].map((d) => d.id));
  const second = new Set<number>();
  for (const n of all) if (directionIds.has(n.id) || n.inputs.some((i) => second.has(i.id))) second.add(n.id);
  const isLeaf = (n: Node) => n.inputs.length === 0 || (n.op === "broadcast" && n.inputs[0]!.op === "const");

  // Who gets an equation, and under what name.
  const display = new Map<number, string>();
  c.params.forEach((p, i) => display.set(roots[i]!.id, `(H v)_${p}`));
  let temp = 0;
  for (const n of all) {
    if (isLeaf(n) || display.has(n.id)) continue;
    const of = c.secondOf.get(n.id);
    const name = c.names.get(n.id);
    if (of && (c.names.has(of.id) || of.op === "param")) display.set(n.id, `∂s/∂${mathName(of, c.names)}`);
    else if (name !== undefined && !second.has(n.id) && !name.startsWith("s_")) display.set(n.id, mathName(n, c.names));
    else if ((uses.get(n.id) ?? 0) > 1) display.set(n.id, `t${++temp}`);
  }
  const depth = new Map<number, number>();
  for (const n of all) {
    let d = display.has(n.id) || isLeaf(n) ? 0 : 1 + Math.max(0, ...n.inputs.map((i) => depth.get(i.id) ?? 0));
    if (d > MAX_INLINE_DEPTH) {
      display.set(n.id, `t${++temp}`);
      d = 0;
    }
    depth.set(n.id, d);
  }
  const leafName = (n: Node) => (n.op === "param" || n.op === "input" ? String(n.attrs["name"]) : undefined);
  const printer = new MathPrinter((n) => display.get(n.id) ?? leafName(n));
  const row = (n: Node): Row => ({
    lhs: display.get(n.id)!,
    rhs: printer.expression(n),
    shape: `[${n.shape.join(", ")}]`,
    line: n.origin ? `${file}:${n.origin.line}` : "",
  });
  const shown = all.filter((n) => display.has(n.id));
  const forward = shown.filter((n) => n.role !== "gradient" && !second.has(n.id)).map(row);
  const first = shown.filter((n) => n.role === "gradient" && !second.has(n.id)).map(row);
  const secondRows = shown.filter((n) => second.has(n.id)).map(row);
  const which = c.params.length === model.params.length ? "every parameter" : c.params.join(", ");
  const directions = c.params.map((p) => String(c.directions.get(p)!.attrs["name"])).join(", ");
  return [
    `# ${model.name} (${file}): the second derivative of L with respect to ${which}, applied to a direction v (${directions}):`,
    `# (H v)_W = ∂s/∂W with s = ⟨∂L/∂θ, v⟩, derived by differentiating the simplified gradient again (reverse over reverse)`,
    `# loss: ${safeText(model.lossText)}, inference mode (no dropout); shapes on the right, then the model line each value comes from`,
    ``,
    ...(forward.length > 0 ? [`forward`, ...table(forward), ``] : []),
    ...(first.length > 0 ? [`gradient (δu = ∂L/∂u)`, ...table(first), ``] : []),
    `second derivative (∂s/∂u: how s = ⟨∂L/∂θ, v⟩ changes with u)`,
    ...table(secondRows),
    ``,
    `# notation: W x matrix-vector product, Wᵀ v transposed product, ⊗ outer product, ⊙ elementwise product, · scaling, Σ sum of elements`,
    ``,
  ].join("\n");
}

/** The simplified H v graph of the chosen parameters (IR text). */
export function secondOrderIr(model: Model, derived: Derived, wanted: readonly string[]): string {
  const c = curvature(derived, wanted);
  const roots = c.params.map((p) => ({ name: `Hv_${p}`, node: c.hvp.get(p)! }));
  return `# ${model.name} (${fileLabel(model.file)}): H v graph after differentiating the gradient again and simplification\n${printGraph(roots, c.names)}\n`;
}

/** The emitted hvp kernel (`--emit hvp`), with the functions it calls. */
export function secondOrderCode(model: Model, program: Program): string {
  const fns = program.functions.filter((f) => /^hvpSample(_\d+)?$/.test(f.name));
  const head = `// ${model.name}: the Hessian-vector product kernel emitted for ${fileLabel(model.file)} with --emit hvp (one sample)`;
  return [head, ...fns.map((f) => printFunction(f)), ``].join("\n");
}
