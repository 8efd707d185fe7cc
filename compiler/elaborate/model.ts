// What elaboration produces: the model's graphs plus everything the emitter needs to know
// about it (names, shapes, the parameter layout, the optimizer, how to score accuracy).

import type { Loc } from "../ast.js";
import type { Graph } from "../ir/graph.js";
import type { Names, Node, Shape } from "../ir/node.js";
import type { LearningRateSchedule } from "../../runtime/schedules.js";

export interface InitSpec {
  name: string;
  value?: number;
}

export interface ParamDecl {
  name: string;
  shape: Shape;
  init: InitSpec;
  node: Node;
  loc: Loc;
  /** The DSL line that declared it (a `param` statement or a layer). */
  line: number;
}

export interface DataDecl {
  name: string;
  shape: Shape;
  node: Node;
}

export interface OptimizerSpec {
  name: string;
  /** Every option of the optimizer, defaults filled in (runtime names, e.g. learningRate). */
  options: Record<string, number | boolean>;
  /** Only what the DSL wrote, for the header comment. */
  written: string;
  /** A learning-rate schedule given as the learning rate (options.learningRate is then its first step's rate). */
  schedule?: LearningRateSchedule;
}

export type AccuracyKind = "binary" | "categorical" | "sparse_categorical" | "none";

/** Keras' mean_absolute_error / mean_squared_error metrics (runtime ErrorMetric). */
export type ErrorMetric = "mae" | "mse";

/** One mode of the model (training has dropout; inference does not). */
export interface ModeGraph {
  output: Node;
  loss: Node;
}

export interface Model {
  name: string;
  file: string;
  source: string;
  graph: Graph;
  /** The names the model file gives values (`h`, `loss`) and those layers give (`z_h`, `Wx_h`). */
  names: Names;
  input: DataDecl;
  target: DataDecl;
  params: ParamDecl[];
  outputName: string;
  train: ModeGraph;
  infer: ModeGraph;
  optimizer: OptimizerSpec;
  accuracy: AccuracyKind;
  /** Error metrics requested by `metrics` (besides accuracy), in the order written. */
  metrics: ErrorMetric[];
  /** A short description of the loss for the header comment: "binary_crossentropy" or "loss = …". */
  lossText: string;
}

/** What one walk over the statements produces. */
export interface ModeResult {
  loss: Node;
  /** The value `predict` returns and its name. */
  output: { name: string; node: Node };
  accuracy: AccuracyKind;
  lossText: string;
}
