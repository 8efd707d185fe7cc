// elaborate: AST -> Model. Resolves names, expands layer and loss sugar into graph math,
// infers and checks every shape, and validates the model as a whole. Every error points at
// the model file.
//
//   h = dense(x, 2, sigmoid)   ->   h := sigmoid(matvec(W_h, x) + b_h), params W_h[2, 1], b_h[2]
//
// Three parts: declarations (declarations.ts, collected once), expressions per mode
// (expressions.ts), and the whole-model checks (validate.ts). The statements are walked twice
// into one interned graph: for training (dropout masks present) and for inference (dropout is
// the identity); the parts the two share are shared nodes.

import type { CallExpr, ModelFile } from "../ast.js";
import { giveName } from "../ir/names.js";
import type { Node } from "../ir/node.js";
import { newGraph } from "../ops/registry.js";
import { Declarations } from "./declarations.js";
import { Expressions } from "./expressions.js";
import type { Mode } from "./function-context.js";
import { FUNCTIONS, LOSS_NAMES } from "./functions.js";
import type { AccuracyKind, Model, ModeResult } from "./model.js";
import { SourceText } from "./source.js";
import { closest } from "../suggest.js";
import { checkModel, resolveOutput } from "./validate.js";

export function elaborate(file: ModelFile): Model {
  const src = new SourceText(file);
  const graph = newGraph();
  const names = new Map<number, string>();
  const decls = new Declarations(src);
  const train = walk("train");
  const infer = walk("infer");
  checkModel(src, decls, train);
  return {
    name: decls.modelName,
    file: file.file,
    source: file.source,
    graph,
    names,
    input: decls.input!,
    target: decls.target!,
    params: decls.params,
    outputName: train.output.name,
    train: { output: train.output.node, loss: train.loss },
    infer: { output: infer.output.node, loss: infer.loss },
    optimizer: decls.optimizer(),
    accuracy: train.accuracy,
    metrics: decls.errorMetrics.map((m) => m.name),
    lossText: train.lossText,
  };

  /** One walk over the statements, elaborating every expression in `mode`. */
  function walk(mode: Mode): ModeResult {
    const exprs = new Expressions(mode, src, decls, names);
    let loss: Node | undefined;
    let lastAssigned: { name: string; node: Node } | undefined;
    let builtinOutput: { name: string; node: Node } | undefined;
    let accuracy: AccuracyKind = "none";
    let lossText = "";
    for (const s of file.statements) {
      const g = graph.at(src.origin(s.loc.line));
      // Declarations are mode-independent: taken once, on the training walk.
      if (mode === "train") decls.take(s, g);
      switch (s.kind) {
        case "input":
        case "target":
        case "param":
          exprs.env.set(s.name, decls.leaf(s.name));
          break;
        case "assign": {
          exprs.currentTarget = s.name;
          const node = giveName(names, exprs.expr(s.value, g), s.name);
          exprs.env.set(s.name, node);
          lastAssigned = { name: s.name, node };
          break;
        }
        case "loss": {
          exprs.currentTarget = "loss";
          if (s.form === "builtin") {
            const c = s.value as CallExpr;
            if (!LOSS_NAMES.includes(c.callee)) {
              const hint = closest(c.callee, LOSS_NAMES);
              src.fail(c.calleeLoc, `unknown loss '${c.callee}'${hint ? `; did you mean '${hint}'?` : ""} (known: ${LOSS_NAMES.join(", ")}; or write 'loss = <expression>')`);
            }
            accuracy = FUNCTIONS.get(c.callee)!.accuracy!;
            const first = c.args[0];
            if (first) builtinOutput = { name: first.kind === "name" ? first.name : "output", node: exprs.expr(first, g) };
            lossText = c.callee;
          } else {
            lossText = `loss = ${src.lineText(s.loc.line).replace(/^loss\s*=\s*/, "")}`;
          }
          loss = exprs.expr(s.value, g);
          if (loss.shape.length !== 0) src.fail(s.value.loc, `the loss must be a scalar, got shape [${loss.shape.join(", ")}]; wrap it in mean() or sum()`);
          break;
        }
        default:
          break;
      }
    }
    const lossStatement = decls.lossStatement;
    if (!decls.input) src.fail(src.anchor, `missing input: the model has no 'input' line; add one such as 'input x[2]'`);
    if (!decls.target) src.fail(src.anchor, `missing target: the model has no 'target' line; add one such as 'target y[1]'`);
    if (!loss || !lossStatement) return src.fail(src.anchor, `missing loss: the model has no 'loss' line; add one such as 'loss mse(out, y)' or 'loss = mean((out - y)^2)'`);
    // Layer penalties join the loss on the loss's own line.
    const atLoss = graph.at(src.origin(lossStatement.loc.line));
    for (const p of exprs.penalties) loss = atLoss.add(loss, p);
    giveName(names, loss, "loss");
    const output = resolveOutput(src, decls, exprs.env, builtinOutput ?? lastAssigned, lossStatement);
    if (lossStatement.form === "expr" || (accuracy === "none" && decls.metricsAccuracy)) {
      accuracy = guessAccuracy(output.node, decls.metricsAccuracy, accuracy);
    }
    return { loss, output, accuracy, lossText };
  }
}

function guessAccuracy(output: Node, asked: boolean, fallback: AccuracyKind): AccuracyKind {
  if (output.op === "sigmoid") return "binary";
  if (output.op === "softmax") return "categorical";
  if (asked) return output.shape[0] === 1 ? "binary" : "categorical";
  return fallback;
}
