// What an exporter needs of a model file beyond its graph: the training configuration as nnc's
// words (built-in loss and its from_logits, optimizer with every option, metrics) and the l1 / l2
// of each dense or conv2d layer's kernel, read from the file's syntax tree (the graph has them
// only as terms of the loss).
//
//   const { training, penalties } = modelFacts(model);
//   training   // { loss: { name: "categorical_crossentropy", fromLogits: false }, optimizer: { name: "adam", options: { learning_rate: 0.01, … } }, metrics: ["accuracy"] }
//   penalties.get("W_h")   // { l1: 0, l2: 0.001 }

import type { CallExpr, Expr } from "../ast.js";
import { FUNCTIONS } from "../elaborate/functions.js";
import type { Model } from "../elaborate/model.js";
import { parse } from "../parse.js";
import { OPTION_KERAS_NAMES } from "../../runtime/optimizer-options.js";
import { LOSSES, type LossName, type MetricName, type Training } from "./training.js";

export interface ModelFacts {
  /** Undefined when the loss is written out by hand (`loss = …`): no other tool can carry it. */
  training?: Training;
  penalties: Map<string, { l1: number; l2: number }>;
}

/** A number written with literals and arithmetic (`0.1 / 2`), as elaboration evaluates it. */
function literal(e: Expr | undefined): number | boolean | undefined {
  if (!e) return undefined;
  if (e.kind === "num" || e.kind === "bool") return e.value;
  if (e.kind === "unary") {
    const v = literal(e.operand);
    return typeof v === "number" ? -v : undefined;
  }
  if (e.kind === "binary") {
    const [a, b] = [literal(e.left), literal(e.right)];
    if (typeof a !== "number" || typeof b !== "number") return undefined;
    return { "+": a + b, "-": a - b, "*": a * b, "/": a / b, "^": a ** b, "@": NaN }[e.op];
  }
  return undefined;
}

function namedArg(c: CallExpr, name: string, position: number): Expr | undefined {
  return c.named.find((n) => n.name === name)?.value ?? c.args[position];
}

/** A layer call's kernel (W_ of dense, K_ of conv2d's layer form) and where it takes l1 and l2 positionally. */
function layerOf(c: CallExpr): { kernel: "W" | "K"; l1: number; l2: number } | undefined {
  if (c.callee === "dense") return { kernel: "W", l1: 3, l2: 4 };
  const conv = FUNCTIONS.get("conv2d")!;
  if (c.callee === "conv2d" && (conv.signatureOf?.(c) ?? conv.signature).params.some((p) => p.name === "filters")) return { kernel: "K", l1: 9, l2: 10 };
  return undefined;
}

/** Every layer call (dense, conv2d) of an assignment, in the order elaboration names them (h, h2, h3, …). */
function layerCalls(e: Expr, out: CallExpr[]): void {
  if (e.kind === "call") {
    for (const a of e.args) layerCalls(a, out);
    for (const n of e.named) layerCalls(n.value, out);
    if (layerOf(e)) out.push(e);
  } else if (e.kind === "binary") {
    layerCalls(e.left, out);
    layerCalls(e.right, out);
  } else if (e.kind === "unary") layerCalls(e.operand, out);
}

export function modelFacts(model: Model): ModelFacts {
  const ast = parse(model.source, model.file);
  const penalties = new Map<string, { l1: number; l2: number }>();
  let loss: Training["loss"];
  let handWritten = false;
  const metrics: MetricName[] = [];
  for (const s of ast.statements) {
    if (s.kind === "assign") {
      const calls: CallExpr[] = [];
      layerCalls(s.value, calls);
      calls.forEach((c, i) => {
        const layer = layerOf(c)!;
        const l1 = Number(literal(namedArg(c, "l1", layer.l1)) ?? 0);
        const l2 = Number(literal(namedArg(c, "l2", layer.l2)) ?? 0);
        if (l1 > 0 || l2 > 0) penalties.set(`${layer.kernel}_${i === 0 ? s.name : `${s.name}${i + 1}`}`, { l1, l2 });
      });
    } else if (s.kind === "loss") {
      if (s.form === "builtin" && s.value.kind === "call" && (LOSSES as readonly string[]).includes(s.value.callee)) {
        loss = { name: s.value.callee as LossName, fromLogits: literal(namedArg(s.value, "from_logits", 2)) === true };
      } else handWritten = true;
    } else if (s.kind === "metrics") {
      for (const m of s.names) metrics.push(m.name === "acc" ? "accuracy" : m.name === "mean_absolute_error" ? "mae" : m.name === "mean_squared_error" ? "mse" : (m.name as MetricName));
    }
  }
  if (handWritten || !loss) return { penalties };
  const keras = OPTION_KERAS_NAMES as Record<string, string>;
  const options = Object.fromEntries(Object.entries(model.optimizer.options).map(([k, v]) => [keras[k] ?? k, v]));
  return { training: { loss, optimizer: { name: model.optimizer.name as NonNullable<Training["optimizer"]>["name"], options }, metrics }, penalties };
}
