// build: AST -> Model. Resolves names, expands layer and loss sugar into graph math,
// infers and checks every shape, and validates the model as a whole (one input, one
// target, a scalar loss, every parameter used). Every error points at the DSL.
//
//   h = dense(x, 2, sigmoid)   ->   h := sigmoid(matvec(W_h, x) + b_h), params W_h[2, 1], b_h[2]
//
// The program is walked twice into one interned graph: once for training (dropout masks
// present) and once for inference (dropout is the identity). Shared parts are shared nodes.

import type { CallExpr, Expr, Loc, Program, Statement } from "../ast.js";
import { errorAt } from "../diagnostics.js";
import { Graph } from "../ir/graph.js";
import { type Node, type Shape, topoOrder } from "../ir/node.js";
import { ShapeError } from "../ops/op-def.js";
import { INITIALIZERS } from "../../runtime/init.js";
import { type Fail, bindArgs } from "./args.js";
import type { BuildContext } from "./context.js";
import { FUNCTIONS, LOSS_NAMES } from "./functions.js";
import type { AccuracyKind, DataDecl, ErrorMetric, InitSpec, Model, ModeGraph, OptimizerSpec, ParamDecl } from "./model.js";
import { optimizerSpec } from "./optimizer-spec.js";
import { closest } from "../suggest.js";

const DEFAULT_OPTIMIZER = "rmsprop"; // Keras' compile() default

/** Keras metric names (short and long) of the error metrics. */
const ERROR_METRICS: Record<string, ErrorMetric> = { mae: "mae", mean_absolute_error: "mae", mse: "mse", mean_squared_error: "mse" };

/** Total parameter values a model may have: 800 MB as f64, and optimizers keep 1–3 more copies. */
export const MAX_PARAMS = 100_000_000;

interface Walk {
  mode: "train" | "infer";
  env: Map<string, Node>;
  penalties: Node[];
  dropoutCount: number;
  layerCounts: Map<string, number>;
  currentTarget: string;
}

export function build(program: Program): Model {
  const { file, source } = program;
  const fail: Fail = (loc, message) => errorAt(file, source, loc, message);
  const graph = new Graph();
  const lines = source.split(/\r\n|\r|\n/);
  // Where each name is first defined, to explain uses before the definition.
  const definedAt = new Map<string, Loc>();
  for (const s of program.statements) {
    if ("nameLoc" in s && s.kind !== "model" && s.kind !== "output" && !definedAt.has(s.name)) definedAt.set(s.name, s.nameLoc);
  }
  // Missing statements are reported at the `model` line (else the first statement, else 1:1).
  const anchor: Loc = (program.statements.find((s) => s.kind === "model") ?? program.statements[0])?.loc ?? { line: 1, column: 1, offset: 0, length: 1 };

  // Declarations are collected on the training walk and reused on the inference walk.
  const params: ParamDecl[] = [];
  const declaredAt = new Map<string, Loc>();
  let input: DataDecl | undefined;
  let target: DataDecl | undefined;
  let modelName = program.file.replace(/^.*[\\/]/, "").replace(/\.nn$/, "").replace(/[^A-Za-z0-9_]/g, "_") || "model";
  let optimizer: OptimizerSpec | undefined;
  let outputDecl: { name: string; loc: Loc } | undefined;
  let modelLine: number | undefined;
  let optimizerLine = 0;
  let metricsAccuracy = false;
  const errorMetrics: { name: ErrorMetric; loc: Loc }[] = [];

  function declare(name: string, loc: Loc, walk: Walk): void {
    if (walk.mode === "infer") return;
    const previous = declaredAt.get(name);
    if (previous) fail(loc, `'${name}' is already defined at line ${previous.line}`);
    if (FUNCTIONS.has(name)) fail(loc, `'${name}' is a built-in function and cannot be redefined`);
    declaredAt.set(name, loc);
  }

  function shapeOf(dims: { value: number; loc: Loc }[]): Shape {
    for (const d of dims) {
      if (!Number.isInteger(d.value) || d.value < 1) fail(d.loc, `dimension must be a positive integer, got ${d.value}`);
      if (d.value > 1e7) fail(d.loc, `dimension ${d.value} is too large (at most 10000000)`);
    }
    return dims.map((d) => d.value);
  }

  // Counted as parameters are declared, so the error points at the one that crosses the limit
  // (a model beyond it could not be allocated, and compiling it would not finish).
  let paramTotal = 0;
  function countParams(name: string, shape: Shape, loc: Loc): void {
    const size = shape.reduce((a, d) => a * d, 1);
    paramTotal += size;
    if (paramTotal > MAX_PARAMS) {
      fail(loc, `parameter '${name}' [${shape.join(", ")}] has ${size} values, bringing the model to ${paramTotal}; at most ${MAX_PARAMS} parameters are supported`);
    }
  }

  function initializer(name: string, loc: Loc): InitSpec {
    if (!(INITIALIZERS as readonly string[]).includes(name)) {
      const hint = closest(name, INITIALIZERS);
      fail(loc, `unknown initializer '${name}'${hint ? `; did you mean '${hint}'?` : ""} (known: ${INITIALIZERS.join(", ")})`);
    }
    return { name };
  }

  function initSpec(call: CallExpr): InitSpec {
    const spec = initializer(call.callee, call.calleeLoc);
    if (call.callee === "constant") {
      const args = bindArgs(call, { name: "constant", params: [{ name: "value", default: 0 }] }, fail);
      return { name: "constant", value: args.number("value") };
    }
    bindArgs(call, { name: call.callee, params: [] }, fail);
    return spec;
  }

  function withShapeCheck<T>(loc: Loc, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ShapeError) fail(loc, e.message);
      throw e;
    }
  }

  function expr(e: Expr, walk: Walk): Node {
    switch (e.kind) {
      case "num":
        return graph.const(e.value);
      case "bool":
        return fail(e.loc, `'${String(e.value)}' can only be the value of a named argument`);
      case "name": {
        const found = walk.env.get(e.name);
        if (found) return found;
        if (FUNCTIONS.has(e.name)) fail(e.loc, `'${e.name}' is a function; call it as ${e.name}(...)`);
        // Names are defined before use, so a cycle (`h = h + 1`, or a = b, b = a) shows up here.
        const later = definedAt.get(e.name);
        if (later && later.line === graph.origin?.line) {
          fail(e.loc, `'${e.name}' is used in its own definition; a value cannot depend on itself (no cycles)`);
        }
        if (later && later.offset > e.loc.offset) {
          fail(e.loc, `'${e.name}' is used before its definition at line ${later.line}; define it above this line (values cannot depend on later ones)`);
        }
        const hint = closest(e.name, [...walk.env.keys()]);
        return fail(e.loc, `unknown name '${e.name}'${hint ? `; did you mean '${hint}'?` : ""}`);
      }
      case "unary": {
        // `----x` can be thousands deep: count the signs instead of recursing once per sign.
        let inner: Expr = e;
        let signs = 0;
        for (; inner.kind === "unary"; inner = inner.operand) signs++;
        let node = expr(inner, walk);
        for (let i = 0; i < signs; i++) node = graph.neg(node);
        return node;
      }
      case "binary": {
        // The parser folds `a + b + … + z` to the left, so the left spine can be thousands of
        // nodes long: walk it with a loop (stack depth independent of the chain's length).
        const spine: (Expr & { kind: "binary" })[] = [];
        let leftmost: Expr = e;
        for (; leftmost.kind === "binary"; leftmost = leftmost.left) spine.push(leftmost);
        let acc = expr(leftmost, walk);
        for (let i = spine.length - 1; i >= 0; i--) acc = binary(spine[i]!, acc, walk);
        return acc;
      }
      case "call":
        return call(e, walk);
    }
  }

  /** One binary operation whose left operand is already built. */
  function binary(e: Expr & { kind: "binary" }, left: Node, walk: Walk): Node {
    if (e.op === "^") {
      const exponent = e.right.kind === "num" ? e.right.value : e.right.kind === "unary" && e.right.operand.kind === "num" ? -e.right.operand.value : undefined;
      if (exponent === undefined) fail(e.right.loc, `the exponent of '^' must be a number written in place, such as 2 or -0.5`);
      return graph.pow(left, exponent);
    }
    const right = expr(e.right, walk);
    return withShapeCheck(e.loc, () => {
      switch (e.op) {
        case "+":
          return graph.add(left, right);
        case "-":
          return graph.sub(left, right);
        case "*":
          return graph.mul(left, right);
        case "/":
          return graph.div(left, right);
        case "@":
          if (left.shape.length === 1 && right.shape.length === 1) {
            if (left.shape[0] !== right.shape[0]) throw new ShapeError(`shape mismatch in '@': [${left.shape[0]}] @ [${right.shape[0]}]: sizes differ`);
            return graph.sum(graph.mul(left, right));
          }
          return graph.matvec(left, right);
        default:
          throw new Error(`internal: operator '${e.op}'`);
      }
    });
  }

  function call(c: CallExpr, walk: Walk): Node {
    const fn = FUNCTIONS.get(c.callee);
    if (!fn) {
      if (walk.env.has(c.callee)) fail(c.calleeLoc, `'${c.callee}' is a value, not a function; only built-in functions can be called`);
      const hint = closest(c.callee, [...FUNCTIONS.keys()]);
      fail(c.calleeLoc, `unknown function '${c.callee}'${hint ? `; did you mean '${hint}'?` : ""}`);
    }
    const args = bindArgs(c, fn.signature, fail);
    const ctx: BuildContext = {
      graph,
      mode: walk.mode,
      fail,
      target: target?.node,
      tensor: (e) => expr(e, walk),
      layerName: () => {
        const n = (walk.layerCounts.get(walk.currentTarget) ?? 0) + 1;
        walk.layerCounts.set(walk.currentTarget, n);
        return n === 1 ? walk.currentTarget : `${walk.currentTarget}${n}`;
      },
      declareParam: (name, shape, init, loc) => {
        const node = graph.param(name, shape);
        if (walk.mode === "train") {
          if (declaredAt.has(name)) fail(loc, `layer parameter '${name}' clashes with '${name}' defined at line ${declaredAt.get(name)!.line}`);
          declaredAt.set(name, loc);
          countParams(name, shape, loc);
          params.push({ name, shape, init, node, loc, line: loc.line });
        }
        return node;
      },
      initializer,
      addPenalty: (term) => walk.penalties.push(term),
      nextDropoutId: () => walk.dropoutCount++,
    };
    return withShapeCheck(c.loc, () => fn.build(args, ctx));
  }

  function walkProgram(mode: "train" | "infer"): ModeGraph & { lossStatement: Statement & { kind: "loss" }; accuracy: AccuracyKind; lossText: string } {
    const walk: Walk = { mode, env: new Map(), penalties: [], dropoutCount: 0, layerCounts: new Map(), currentTarget: "" };
    let loss: Node | undefined;
    let lossStatement: (Statement & { kind: "loss" }) | undefined;
    let lastAssigned: { name: string; node: Node } | undefined;
    let builtinOutput: { name: string; node: Node } | undefined;
    let accuracy: AccuracyKind = "none";
    let lossText = "";
    for (const s of program.statements) {
      graph.origin = { line: s.loc.line, text: (lines[s.loc.line - 1] ?? "").trim() };
      switch (s.kind) {
        case "model":
          if (mode === "train") {
            if (modelLine !== undefined) fail(s.loc, `the model name is already set at line ${modelLine}`);
            modelLine = s.loc.line;
          }
          modelName = s.name;
          break;
        case "input":
        case "target": {
          declare(s.name, s.nameLoc, walk);
          if (mode === "train") {
            const existing = s.kind === "input" ? input : target;
            if (existing) fail(s.loc, `only one ${s.kind} is supported; '${existing.name}' is already the ${s.kind}`);
            const shape = shapeOf(s.shape);
            if (shape.length !== 1) fail(s.loc, `${s.kind} '${s.name}' must be a vector (one dimension), got [${shape.join(", ")}]`);
            const decl = { name: s.name, shape, node: graph.input(s.name, shape, s.kind) };
            if (s.kind === "input") input = decl;
            else target = decl;
          }
          walk.env.set(s.name, (s.kind === "input" ? input : target)!.node);
          break;
        }
        case "param": {
          declare(s.name, s.nameLoc, walk);
          const shape = shapeOf(s.shape);
          if (mode === "train") countParams(s.name, shape, s.nameLoc);
          const node = graph.param(s.name, shape);
          if (mode === "train") params.push({ name: s.name, shape, init: initSpec(s.init), node, loc: s.nameLoc, line: s.loc.line });
          walk.env.set(s.name, node);
          break;
        }
        case "assign": {
          declare(s.name, s.nameLoc, walk);
          walk.currentTarget = s.name;
          const node = graph.named(expr(s.value, walk), s.name);
          walk.env.set(s.name, node);
          lastAssigned = { name: s.name, node };
          break;
        }
        case "loss": {
          if (lossStatement) fail(s.loc, `the loss is already defined at line ${lossStatement.loc.line}`);
          lossStatement = s;
          walk.currentTarget = "loss";
          if (s.form === "builtin") {
            const c = s.value as CallExpr;
            if (!LOSS_NAMES.includes(c.callee)) {
              const hint = closest(c.callee, LOSS_NAMES);
              fail(c.calleeLoc, `unknown loss '${c.callee}'${hint ? `; did you mean '${hint}'?` : ""} (known: ${LOSS_NAMES.join(", ")}; or write 'loss = <expression>')`);
            }
            accuracy = FUNCTIONS.get(c.callee)!.accuracy!;
            const first = c.args[0];
            if (first) builtinOutput = { name: first.kind === "name" ? first.name : "output", node: expr(first, walk) };
            lossText = c.callee;
          } else {
            lossText = `loss = ${(lines[s.loc.line - 1] ?? "").trim().replace(/^loss\s*=\s*/, "")}`;
          }
          loss = expr(s.value, walk);
          if (loss.shape.length !== 0) fail(s.value.loc, `the loss must be a scalar, got shape [${loss.shape.join(", ")}]; wrap it in mean() or sum()`);
          break;
        }
        case "optimizer":
          if (mode === "train") {
            if (optimizer) fail(s.loc, `the optimizer is already set at line ${optimizerLine}`);
            optimizer = optimizerSpec(s.call, fail);
            optimizerLine = s.loc.line;
          }
          break;
        case "output":
          if (mode === "train") {
            if (outputDecl) fail(s.loc, `the output is already set at line ${outputDecl.loc.line}`);
            outputDecl = { name: s.name, loc: s.nameLoc };
          }
          break;
        case "metrics":
          for (const m of s.names) {
            const error = ERROR_METRICS[m.name];
            if (error) {
              if (mode === "train" && !errorMetrics.some((e) => e.name === error)) errorMetrics.push({ name: error, loc: m.loc });
              continue;
            }
            if (m.name !== "accuracy" && m.name !== "acc") {
              fail(m.loc, `unknown metric '${m.name}' (known: accuracy, mae, mse, and the long names acc, mean_absolute_error, mean_squared_error)`);
            }
            metricsAccuracy = true;
          }
          break;
      }
    }
    graph.origin = undefined;
    if (!input) fail(anchor, `missing input: the model has no 'input' line; add one such as 'input x[2]'`);
    if (!target) fail(anchor, `missing target: the model has no 'target' line; add one such as 'target y[1]'`);
    if (!loss || !lossStatement) return fail(anchor, `missing loss: the model has no 'loss' line; add one such as 'loss mse(out, y)' or 'loss = mean((out - y)^2)'`);
    if (walk.penalties.length > 0) {
      graph.origin = { line: lossStatement.loc.line, text: (lines[lossStatement.loc.line - 1] ?? "").trim() };
      for (const p of walk.penalties) loss = graph.add(loss, p);
      graph.origin = undefined;
    }
    graph.named(loss, "loss");
    let output: { name: string; node: Node } | undefined;
    if (outputDecl) {
      const node = walk.env.get(outputDecl.name);
      if (!node) fail(outputDecl.loc, `unknown name '${outputDecl.name}'`);
      output = { name: outputDecl.name, node };
    } else {
      output = builtinOutput ?? lastAssigned;
    }
    if (!output) return fail(lossStatement.loc, `cannot tell which value is the model's output; add 'output NAME'`);
    if (output.node.shape.length !== 1) fail(outputDecl?.loc ?? lossStatement.loc, `the output '${output.name}' must be a vector, got shape [${output.node.shape.join(", ")}]`);
    if (lossStatement.form === "expr" || (accuracy === "none" && metricsAccuracy)) {
      accuracy = guessAccuracy(output.node, metricsAccuracy, accuracy);
    }
    outputName = output.name;
    return { output: output.node, loss, lossStatement, accuracy, lossText };
  }

  let outputName = "output";
  const train = walkProgram("train");
  const infer = walkProgram("infer");

  if (!input || !target) throw new Error("internal: input and target are checked by walkProgram");

  // A parameter that the loss does not depend on would silently never train.
  const reachable = new Set(topoOrder([train.loss]).map((n) => n.id));
  for (const p of params) {
    if (!reachable.has(p.node.id)) fail(p.loc, `parameter '${p.name}' is never used by the loss`);
  }
  // mae / mse compare output and target element by element (not with sparse class labels).
  for (const m of errorMetrics) {
    const outputSize = train.output.shape[0]!;
    const targetSize = target.shape[0]!;
    if (outputSize !== targetSize) {
      fail(m.loc, `metric '${m.name}' compares the output '${outputName}' [${outputSize}] with the target '${target.name}' [${targetSize}] element by element, but their sizes differ`);
    }
  }

  return {
    name: modelName,
    file,
    source,
    graph,
    input,
    target,
    params,
    outputName,
    train: { output: train.output, loss: train.loss },
    infer: { output: infer.output, loss: infer.loss },
    optimizer: optimizer ?? optimizerSpec({ kind: "call", callee: DEFAULT_OPTIMIZER, calleeLoc: anchor, args: [], named: [], loc: anchor }, fail),
    accuracy: train.accuracy,
    metrics: errorMetrics.map((m) => m.name),
    lossText: train.lossText,
  };
}

function guessAccuracy(output: Node, asked: boolean, fallback: AccuracyKind): AccuracyKind {
  if (output.op === "sigmoid") return "binary";
  if (output.op === "softmax") return "categorical";
  if (asked) return output.shape[0] === 1 ? "binary" : "categorical";
  return fallback;
}
