// The declarations of a model file, collected once (on the training walk): the model name,
// the input and target, parameters (declared by `param` lines and by layers), the optimizer,
// the output and the metrics. Each name may be declared once; shapes and initializers are
// checked here, with located errors.
//
//   param W[8, 2] ~ glorot_uniform   ->  params: [{ name: "W", shape: [8, 2], init: { name: "glorot_uniform" }, … }]

import type { CallExpr, Dim, Loc, Statement } from "../ast.js";
import type { Graph } from "../ir/graph.js";
import type { Node, Shape } from "../ir/node.js";
import { INITIALIZERS } from "../../runtime/init.js";
import { bindArgs } from "./args.js";
import { FUNCTIONS } from "./functions.js";
import type { DataDecl, ErrorMetric, InitSpec, OptimizerSpec, ParamDecl } from "./model.js";
import { optimizerSpec } from "./optimizer-spec.js";
import type { SourceText } from "./source.js";
import { closest } from "../suggest.js";
import { own } from "../own.js";

/** Total parameter values a model may have: 800 MB as f64, and optimizers keep 1–3 more copies. */
export const MAX_PARAMS = 100_000_000;

const DEFAULT_OPTIMIZER = "rmsprop"; // Keras' compile() default

/** Keras metric names (short and long) of the error metrics. */
const ERROR_METRICS: Record<string, ErrorMetric> = { mae: "mae", mean_absolute_error: "mae", mse: "mse", mean_squared_error: "mse" };

export class Declarations {
  readonly params: ParamDecl[] = [];
  input: DataDecl | undefined;
  target: DataDecl | undefined;
  modelName: string;
  outputDecl: { name: string; loc: Loc } | undefined;
  lossStatement: (Statement & { kind: "loss" }) | undefined;
  /** Whether `metrics` asked for accuracy. */
  metricsAccuracy = false;
  readonly errorMetrics: { name: ErrorMetric; loc: Loc }[] = [];
  private optimizerSpec: OptimizerSpec | undefined;
  private readonly declaredAt = new Map<string, Loc>();
  private readonly leaves = new Map<string, Node>();
  private modelLine: number | undefined;
  private optimizerLine = 0;
  private paramTotal = 0;

  constructor(private readonly src: SourceText) {
    this.modelName = src.file.file.replace(/^.*[\\/]/, "").replace(/\.nn$/, "").replace(/[^A-Za-z0-9_]/g, "_") || "model";
  }

  /** The node of a declared input, target or `param` by name. */
  leaf(name: string): Node {
    const node = this.leaves.get(name);
    if (!node) throw new Error(`internal: '${name}' was not declared`);
    return node;
  }

  /** The optimizer of the model file, or Keras' default. */
  optimizer(): OptimizerSpec {
    const anchor = this.src.anchor;
    return this.optimizerSpec ?? optimizerSpec({ kind: "call", callee: DEFAULT_OPTIMIZER, calleeLoc: anchor, args: [], named: [], loc: anchor }, this.src.fail);
  }

  /**
   * Records what statement `s` declares (called for every statement, in order, before its
   * expression is elaborated); leaves are made through `graph`, stamped with the statement's line.
   */
  take(s: Statement, graph: Graph): void {
    const fail = this.src.fail;
    switch (s.kind) {
      case "model":
        if (this.modelLine !== undefined) fail(s.loc, `the model name is already set at line ${this.modelLine}`);
        this.modelLine = s.loc.line;
        this.modelName = s.name;
        break;
      case "input":
      case "target": {
        this.declare(s.name, s.nameLoc);
        const existing = s.kind === "input" ? this.input : this.target;
        if (existing) fail(s.loc, `only one ${s.kind} is supported; '${existing.name}' is already the ${s.kind}`);
        // Any rank: a vector x[4], an image img[28, 28, 1] (height, width, channels, as Keras).
        const shape = this.shapeOf(s.shape);
        const decl = { name: s.name, shape, node: graph.input(s.name, shape, s.kind) };
        if (s.kind === "input") this.input = decl;
        else this.target = decl;
        this.leaves.set(s.name, decl.node);
        break;
      }
      case "param": {
        this.declare(s.name, s.nameLoc);
        const shape = this.shapeOf(s.shape);
        this.countParams(s.name, shape, s.nameLoc);
        const node = graph.param(s.name, shape);
        this.params.push({ name: s.name, shape, init: this.initSpec(s.init), node, loc: s.nameLoc, line: s.loc.line });
        this.leaves.set(s.name, node);
        break;
      }
      case "assign":
        this.declare(s.name, s.nameLoc);
        break;
      case "loss":
        if (this.lossStatement) fail(s.loc, `the loss is already defined at line ${this.lossStatement.loc.line}`);
        this.lossStatement = s;
        break;
      case "optimizer":
        if (this.optimizerSpec) fail(s.loc, `the optimizer is already set at line ${this.optimizerLine}`);
        this.optimizerSpec = optimizerSpec(s.call, fail);
        this.optimizerLine = s.loc.line;
        break;
      case "output":
        if (this.outputDecl) fail(s.loc, `the output is already set at line ${this.outputDecl.loc.line}`);
        this.outputDecl = { name: s.name, loc: s.nameLoc };
        break;
      case "metrics":
        for (const m of s.names) {
          const error = own(ERROR_METRICS, m.name);
          if (error) {
            if (!this.errorMetrics.some((e) => e.name === error)) this.errorMetrics.push({ name: error, loc: m.loc });
            continue;
          }
          if (m.name !== "accuracy" && m.name !== "acc") {
            fail(m.loc, `unknown metric '${m.name}' (known: accuracy, mae, mse, and the long names acc, mean_absolute_error, mean_squared_error)`);
          }
          this.metricsAccuracy = true;
        }
        break;
    }
  }

  /** A parameter declared by a layer (`W_h` of `h = dense(…)`), at the layer call, made through the layer's `graph`. */
  layerParam(name: string, shape: Shape, init: InitSpec, loc: Loc, graph: Graph): Node {
    if (this.declaredAt.has(name)) this.src.fail(loc, `layer parameter '${name}' clashes with '${name}' defined at line ${this.declaredAt.get(name)!.line}`);
    this.declaredAt.set(name, loc);
    this.countParams(name, shape, loc);
    const node = graph.param(name, shape);
    this.params.push({ name, shape, init, node, loc, line: loc.line });
    return node;
  }

  /** An initializer name, checked. */
  initializer(name: string, loc: Loc): InitSpec {
    if (!(INITIALIZERS as readonly string[]).includes(name)) {
      const hint = closest(name, INITIALIZERS);
      this.src.fail(loc, `unknown initializer '${name}'${hint ? `; did you mean '${hint}'?` : ""} (known: ${INITIALIZERS.join(", ")})`);
    }
    return { name };
  }

  private declare(name: string, loc: Loc): void {
    const previous = this.declaredAt.get(name);
    if (previous) this.src.fail(loc, `'${name}' is already defined at line ${previous.line}`);
    if (FUNCTIONS.has(name)) this.src.fail(loc, `'${name}' is a built-in function and cannot be redefined`);
    this.declaredAt.set(name, loc);
  }

  private shapeOf(dims: Dim[]): Shape {
    for (const d of dims) {
      if (!Number.isInteger(d.value) || d.value < 1) this.src.fail(d.loc, `dimension must be a positive integer, got ${d.value}`);
      if (d.value > 1e7) this.src.fail(d.loc, `dimension ${d.value} is too large (at most 10000000)`);
    }
    return dims.map((d) => d.value);
  }

  // Counted as parameters are declared, so the error points at the one that crosses the limit
  // (a model beyond it could not be allocated, and compiling it would not finish).
  private countParams(name: string, shape: Shape, loc: Loc): void {
    const size = shape.reduce((a, d) => a * d, 1);
    this.paramTotal += size;
    if (this.paramTotal > MAX_PARAMS) {
      this.src.fail(loc, `parameter '${name}' [${shape.join(", ")}] has ${size} values, bringing the model to ${this.paramTotal}; at most ${MAX_PARAMS} parameters are supported`);
    }
  }

  private initSpec(call: CallExpr): InitSpec {
    const spec = this.initializer(call.callee, call.calleeLoc);
    if (call.callee === "constant") {
      const args = bindArgs(call, { name: "constant", params: [{ name: "value", default: 0 }] }, this.src.fail);
      return { name: "constant", value: args.number("value") };
    }
    bindArgs(call, { name: call.callee, params: [] }, this.src.fail);
    return spec;
  }
}
