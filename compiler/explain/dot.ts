// The model's forward and backward graph (after simplification) as Graphviz DOT: one box
// per value, coloured by kind, labelled with its equation, shape and the DSL line it comes
// from; edges carry the shape of the value that flows along them.
//
//   n6 [label="h = σ(z_h)\n[2]\nparity.nn:9  h = dense(x, 2, sigmoid)", fillcolor="#d9f2dc"]
//   n5 -> n6 [label="[2]"]
//
// Scalar and tensor constants are not drawn: they appear in their users' equations.

import type { Model } from "../elaborate/model.js";
import type { Derived } from "../passes/simplify.js";
import { type Node, shapeText, topoOrder } from "../ir/node.js";
import { MathPrinter } from "./math.js";
import { mathName } from "./names.js";
import { maskName } from "../ops/leaves.js";
import { fileLabel } from "./grad-text.js";
import { safeName } from "../lower/comments.js";
import { type Arrow, type Box, type Drawing, type GraphNodeKind, LADDER_NSLIMIT, type Laid, type LayoutChoice, arrange } from "./layout.js";

export type { GraphNodeKind };


/** Fill colours by kind (the legend shows the same). */
export const COLOURS: Record<GraphNodeKind, string> = {
  input: "#cfe3ff",
  param: "#ffe5a3",
  forward: "#d9f2dc",
  gradient: "#f8d0d0",
  result: "#e6d9f7",
};

const LEGEND: [GraphNodeKind, string][] = [
  ["input", "input, target, dropout mask"],
  ["param", "parameter"],
  ["forward", "forward op"],
  ["gradient", "gradient op"],
  ["result", "∂L/∂parameter"],
];

const isConst = (n: Node) => n.op === "const" || (n.op === "broadcast" && n.inputs[0]!.op === "const");

export function kindOf(node: Node): GraphNodeKind {
  if (node.op === "input" || node.op === "dropout_mask") return "input";
  if (node.op === "param") return "param";
  return node.role === "gradient" ? "gradient" : "forward";
}

/** A DOT string literal (labels use `\n` between lines). */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

function attrs(map: Record<string, string>): string {
  return `[${Object.entries(map)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(", ")}]`;
}

/** The boxes and arrows of the model's training graph: loss, prediction and every parameter's gradient. */
function drawModel(model: Model, derived: Derived, file: string): Drawing {
  // DSL lines as box captions: made safe as the emitted code's comments, whitespace collapsed, long ones shortened.
  const lines = model.source.split(/\r\n|\r|\n/).map((l) => {
    const t = safeName(l.trim().replace(/\s+/g, " "));
    return t.length > 44 ? `${t.slice(0, 43)}…` : t;
  });
  const grads = model.params.map((p) => ({ p, node: derived.grads.get(p.name)! }));
  const nodes = topoOrder([derived.trainLoss, derived.predict, ...grads.map((g) => g.node)]).filter((n) => !isConst(n));
  const label = (n: Node) => {
    if (n === derived.trainLoss) return "L";
    if (n.op === "param" || n.op === "input") return String(n.attrs["name"]);
    if (n.op === "dropout_mask") return maskName(n.attrs);
    return mathName(n, derived.names);
  };
  // One level of math per box: operands print by their labels (constants by value).
  const printer = new MathPrinter((n) => (isConst(n) ? undefined : label(n)));
  const declared = new Map(model.params.map((p) => [p.name, p.line]));

  const boxes: Box[] = [];
  for (const n of nodes) {
    const kind = kindOf(n);
    const text = [label(n)];
    if (n.inputs.length > 0) text[0] = `${label(n)} = ${printer.expression(n)}`;
    else if (n.op === "input") text[0] = `${label(n)}  (${String(n.attrs["role"])})`;
    else if (n.op === "dropout_mask") text[0] = `${label(n)}  (dropout mask, rate ${String(n.attrs["rate"])})`;
    text.push(shapeText(n.shape));
    const line = n.op === "param" ? declared.get(String(n.attrs["name"])) : n.origin?.line;
    if (line !== undefined) {
      const where = `${file}:${line}  ${(lines[line - 1] ?? "").trim()}`;
      text.push(kind === "gradient" ? `backward of ${where}` : where);
    }
    const shape = kind === "input" || kind === "param" ? "ellipse" : "box";
    boxes.push({ id: `n${n.id}`, kind, line: n.origin?.line, attrs: { label: text.join("\n"), fillcolor: COLOURS[kind], shape } });
  }
  grads.forEach(({ p, node }, i) => {
    const text = [`∂L/∂${p.name}`, shapeText(node.shape), `${file}:${p.line}  ${(lines[p.line - 1] ?? "").trim()}`];
    boxes.push({ id: `g${i}`, kind: "result", line: p.line, attrs: { label: text.join("\n"), fillcolor: COLOURS.result, peripheries: "2" } });
  });
  const arrows: Arrow[] = [];
  for (const n of nodes) {
    for (const input of n.inputs) if (!isConst(input)) arrows.push({ from: `n${input.id}`, to: `n${n.id}`, attrs: { label: shapeText(input.shape) } });
  }
  grads.forEach(({ node }, i) => {
    if (!isConst(node)) arrows.push({ from: `n${node.id}`, to: `g${i}`, attrs: { label: shapeText(node.shape) } });
  });
  return { boxes, arrows };
}

/** The model's training graph, laid out as layout.ts chooses (or as `choice` says). */
export function modelLayout(model: Model, derived: Derived, choice: LayoutChoice = "auto"): Laid {
  return arrange(drawModel(model, derived, fileLabel(model.file)), choice);
}

/** The DOT text of the model's training graph, laid out as layout.ts chooses (or as `choice` says). */
export function modelDot(model: Model, derived: Derived, choice: LayoutChoice = "auto"): string {
  return layoutDot(model, modelLayout(model, derived, choice));
}

/** The DOT text of a laid-out drawing of the model. */
export function layoutDot(model: Model, { drawing, ladder }: Laid): string {
  const file = fileLabel(model.file);
  const title = `${model.name} (${file}): forward and backward graph after simplification${ladder ? " (each backward op beside its forward op)" : ""}`;
  const out = [
    `digraph ${quote(model.name)} {`,
    `  graph ${attrs({ rankdir: "TB", fontname: "Helvetica", fontsize: "16", labelloc: "t", label: title, nodesep: "0.3", ranksep: "0.45", ...(ladder ? { nslimit: LADDER_NSLIMIT } : {}) })};`,
    `  node ${attrs({ shape: "box", style: "rounded,filled", fontname: "Helvetica", fontsize: "11", penwidth: "0.8" })};`,
    `  edge ${attrs({ fontname: "Helvetica", fontsize: "9", color: "#555555", fontcolor: "#333333", arrowsize: "0.6" })};`,
    ...drawing.boxes.map((b) => `  ${b.id} ${attrs(b.attrs)};`),
    ...drawing.arrows.map((a) => `  ${a.from} -> ${a.to} ${attrs(a.attrs)};`),
  ];
  // The legend: one row of colour samples (an HTML-like label: a table).
  const cells = LEGEND.map(([kind, text]) => `<td bgcolor="${COLOURS[kind]}">${text}</td>`).join("");
  out.push(`  legend [shape="plaintext", style="", fontsize="10", label=<<table border="0" cellborder="1" cellspacing="4" cellpadding="4">` + `<tr><td border="0">legend</td>${cells}</tr></table>>];`, `}`, ``);
  return out.join("\n");
}
