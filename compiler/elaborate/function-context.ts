// What a built-in function sees while a call is elaborated: the graph (stamped with the
// statement's model line), the mode (dropout only exists in training), and hooks to declare
// parameters and regularizers and to name the values it creates.

import type { CallExpr, Expr, Loc } from "../ast.js";
import type { Graph } from "../ir/graph.js";
import type { Node, Shape } from "../ir/node.js";
import type { BoundArgs, Fail, Signature } from "./args.js";
import type { AccuracyKind, InitSpec } from "./model.js";

export type Mode = "train" | "infer";

export interface FunctionContext {
  readonly graph: Graph;
  readonly mode: Mode;
  readonly fail: Fail;
  /** Elaborates a tensor-valued argument expression. */
  tensor(e: Expr): Node;
  /** Gives a value a readable name (`z_h` for a layer's pre-activation); the first name wins. */
  name(node: Node, name: string): Node;
  /** The name for parameters of the layer being elaborated: the assigned variable (`h`), made unique. */
  layerName(): string;
  /** Declares (once, in training mode) a parameter created by a layer. */
  declareParam(name: string, shape: Shape, init: InitSpec, loc: Loc): Node;
  /** Validates an initializer name at `loc`. */
  initializer(name: string, loc: Loc): InitSpec;
  /** A term added to the loss (L1/L2 penalties of layers). */
  addPenalty(term: Node): void;
  /** A fresh id for a dropout mask (stable between the training and inference walks). */
  nextDropoutId(): number;
  /** The target leaf, to catch swapped loss arguments. */
  readonly target: Node | undefined;
}

/** A row of the function table (functions.ts): what a call binds and what it makes. */
export interface BuiltinFunction {
  signature: Signature;
  /** For a function with two forms (conv2d's layer and raw op): the signature a call binds to. */
  signatureOf?: (call: CallExpr) => Signature;
  /** Set on losses: what `evaluate` reports as accuracy for a model trained with it. */
  accuracy?: AccuracyKind;
  elaborate(args: BoundArgs, ctx: FunctionContext): Node;
}
