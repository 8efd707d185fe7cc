// What a built-in function sees while `build` expands a call: the graph, the mode
// (dropout only exists in training), and hooks to declare parameters and regularizers.

import type { Expr, Loc } from "../ast.js";
import type { Graph } from "../ir/graph.js";
import type { Node, Shape } from "../ir/node.js";
import type { Fail } from "./args.js";
import type { InitSpec } from "./model.js";

export interface BuildContext {
  readonly graph: Graph;
  readonly mode: "train" | "infer";
  readonly fail: Fail;
  /** Builds a tensor-valued argument expression. */
  tensor(e: Expr): Node;
  /** The name for parameters of the layer being built: the assigned variable (`h`), made unique. */
  layerName(): string;
  /** Declares (once, on the first build) a parameter created by a layer. */
  declareParam(name: string, shape: Shape, init: InitSpec, loc: Loc): Node;
  /** Validates an initializer name at `loc`. */
  initializer(name: string, loc: Loc): InitSpec;
  /** A term added to the loss (L1/L2 penalties of layers). */
  addPenalty(term: Node): void;
  /** A fresh id for a dropout mask (stable between the training and inference builds). */
  nextDropoutId(): number;
  /** The target leaf, to catch swapped loss arguments. */
  readonly target: Node | undefined;
}
