// Expressions of one mode (training or inference) as graph nodes: names resolve through the
// environment built so far, operators and calls become ops, built-in functions expand through
// their rows in functions.ts. Shape errors point at the expression.
//
//   tanh(W1 @ x + b1)   ->   tanh(add(matvec(W1, x), b1))   (nodes stamped with the statement's line)
//
// No recursion on the length of a chain: `a + b + … + z` and `----x` are walked with loops.

import type { CallExpr, Expr, Loc } from "../ast.js";
import type { Graph } from "../ir/graph.js";
import { giveName } from "../ir/names.js";
import { type Node, ShapeError } from "../ir/node.js";
import { type Fail, bindArgs } from "./args.js";
import type { Declarations } from "./declarations.js";
import type { FunctionContext, Mode } from "./function-context.js";
import { FUNCTIONS } from "./functions.js";
import type { SourceText } from "./source.js";
import { closest } from "../suggest.js";

export class Expressions {
  /** Values by name, as defined so far in this walk. */
  readonly env = new Map<string, Node>();
  /** L1/L2 penalties layers add to the loss. */
  readonly penalties: Node[] = [];
  /** The variable being assigned (layers name their parameters after it). */
  currentTarget = "";
  private dropoutCount = 0;
  private readonly layerCounts = new Map<string, number>();

  constructor(
    readonly mode: Mode,
    private readonly src: SourceText,
    private readonly decls: Declarations,
    private readonly names: Map<number, string>,
  ) {}

  /** The node of `e`, built through `graph` (a view stamped with the statement's line). */
  expr(e: Expr, graph: Graph): Node {
    const fail: Fail = this.src.fail;
    switch (e.kind) {
      case "num":
        return graph.const(e.value);
      case "bool":
        return fail(e.loc, `'${String(e.value)}' can only be the value of a named argument`);
      case "string":
        return fail(e.loc, `a string such as "${e.value}" can only be the value of an argument that names a choice (padding = "same")`);
      case "list":
        return fail(e.loc, `a list such as [3, 3] can only be the value of an argument (kernel_size, strides, a shape)`);
      case "name":
        return this.nameValue(e.name, e.loc, graph);
      case "unary": {
        // `----x` can be thousands deep: count the signs instead of recursing once per sign.
        let inner: Expr = e;
        let signs = 0;
        for (; inner.kind === "unary"; inner = inner.operand) signs++;
        let node = this.expr(inner, graph);
        for (let i = 0; i < signs; i++) node = graph.neg(node);
        return node;
      }
      case "binary": {
        // The parser folds `a + b + … + z` to the left, so the left spine can be thousands of
        // nodes long: walk it with a loop (stack depth independent of the chain's length).
        const spine: (Expr & { kind: "binary" })[] = [];
        let leftmost: Expr = e;
        for (; leftmost.kind === "binary"; leftmost = leftmost.left) spine.push(leftmost);
        let acc = this.expr(leftmost, graph);
        for (let i = spine.length - 1; i >= 0; i--) acc = this.binary(spine[i]!, acc, graph);
        return acc;
      }
      case "call":
        return this.call(e, graph);
    }
  }

  private nameValue(name: string, loc: Loc, graph: Graph): Node {
    const found = this.env.get(name);
    if (found) return found;
    const fail: Fail = this.src.fail;
    if (FUNCTIONS.has(name)) fail(loc, `'${name}' is a function; call it as ${name}(...)`);
    // Names are defined before use, so a cycle (`h = h + 1`, or a = b, b = a) shows up here.
    const later = this.src.definedAt.get(name);
    if (later && later.line === graph.stamp.origin?.line) {
      fail(loc, `'${name}' is used in its own definition; a value cannot depend on itself (no cycles)`);
    }
    if (later && later.offset > loc.offset) {
      fail(loc, `'${name}' is used before its definition at line ${later.line}; define it above this line (values cannot depend on later ones)`);
    }
    const hint = closest(name, [...this.env.keys()]);
    return fail(loc, `unknown name '${name}'${hint ? `; did you mean '${hint}'?` : ""}`);
  }

  /** One binary operation whose left operand is already built. */
  private binary(e: Expr & { kind: "binary" }, left: Node, graph: Graph): Node {
    if (e.op === "^") {
      const exponent = e.right.kind === "num" ? e.right.value : e.right.kind === "unary" && e.right.operand.kind === "num" ? -e.right.operand.value : undefined;
      if (exponent === undefined) this.src.fail(e.right.loc, `the exponent of '^' must be a number written in place, such as 2 or -0.5`);
      return graph.pow(left, exponent);
    }
    const right = this.expr(e.right, graph);
    return this.withShapeCheck(e.loc, () => {
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
          if (left.shape.length === 2 && right.shape.length === 2) return graph.node("matmul", [left, right]);
          return graph.matvec(left, right);
        default:
          throw new Error(`internal: operator '${e.op}'`);
      }
    });
  }

  private call(c: CallExpr, graph: Graph): Node {
    const fail: Fail = this.src.fail;
    const fn = FUNCTIONS.get(c.callee);
    if (!fn) {
      if (this.env.has(c.callee)) fail(c.calleeLoc, `'${c.callee}' is a value, not a function; only built-in functions can be called`);
      const hint = closest(c.callee, [...FUNCTIONS.keys()]);
      fail(c.calleeLoc, `unknown function '${c.callee}'${hint ? `; did you mean '${hint}'?` : ""}`);
    }
    const args = bindArgs(c, fn.signatureOf?.(c) ?? fn.signature, fail);
    const ctx: FunctionContext = {
      graph,
      mode: this.mode,
      fail,
      target: this.decls.target?.node,
      tensor: (e) => this.expr(e, graph),
      name: (node, name) => giveName(this.names, node, name),
      layerName: () => {
        const n = (this.layerCounts.get(this.currentTarget) ?? 0) + 1;
        this.layerCounts.set(this.currentTarget, n);
        return n === 1 ? this.currentTarget : `${this.currentTarget}${n}`;
      },
      // Layers declare their parameters on the training walk; the inference walk meets the same (interned) nodes.
      declareParam: (name, shape, init, loc) => (this.mode === "train" ? this.decls.layerParam(name, shape, init, loc, graph) : graph.param(name, shape)),
      initializer: (name, loc) => this.decls.initializer(name, loc),
      addPenalty: (term) => this.penalties.push(term),
      nextDropoutId: () => this.dropoutCount++,
    };
    return this.withShapeCheck(c.loc, () => fn.elaborate(args, ctx));
  }

  private withShapeCheck<T>(loc: Loc, f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof ShapeError) this.src.fail(loc, e.message);
      throw e;
    }
  }
}
