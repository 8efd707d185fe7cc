// Graph construction with interning (hash-consing): `graph.add(a, b)` twice returns the
// same node, so common subexpressions are shared by construction (CSE for free).
// Every constructor checks shapes through the op table; a mismatch throws ShapeError.
//
//   const g = new Graph();
//   const z = g.add(g.matvec(W, x), b);   // shape [2]
//   g.add(g.matvec(W, x), b) === z        // true

import { type Attrs, type Node, type Origin, type Shape, sameShape, sizeOf } from "./node.js";
import { opDef } from "../ops/registry.js";
import { ShapeError } from "../ops/op-def.js";

function attrKey(attrs: Attrs): string {
  const keys = Object.keys(attrs).sort();
  return keys.map((k) => `${k}=${JSON.stringify(attrs[k])}`).join(",");
}

export class Graph {
  private readonly interned = new Map<string, Node>();
  private nextId = 0;
  /** Stamped on nodes created from now on (build sets it per statement). */
  origin: Origin | undefined;
  role: "forward" | "gradient" = "forward";

  /** The interned node for `op(inputs; attrs)`, created if new. */
  node(op: string, inputs: readonly Node[], attrs: Attrs = {}): Node {
    const key = `${op}(${attrKey(attrs)})[${inputs.map((n) => n.id).join(",")}]`;
    const found = this.interned.get(key);
    if (found) return found;
    const def = opDef(op);
    const shape = def.shape(
      inputs.map((n) => n.shape),
      attrs,
    );
    const node: Node = { id: this.nextId++, op, inputs, shape, attrs, role: this.role };
    if (this.origin) node.origin = this.origin;
    this.interned.set(key, node);
    return node;
  }

  /** Gives `node` a readable name unless it already has one; returns the node. */
  named(node: Node, name: string): Node {
    if (node.name === undefined && node.op !== "param" && node.op !== "input" && node.op !== "const") node.name = name;
    return node;
  }

  // ---- leaves ----
  const(value: number, shape: Shape = []): Node {
    // -0 and 0 are one constant; NaN stays NaN.
    return this.node("const", [], { value: Object.is(value, -0) ? 0 : value, shape: shape.join("x") });
  }
  input(name: string, shape: Shape, role: "input" | "target"): Node {
    return this.node("input", [], { name, role, shape: shape.join("x") });
  }
  param(name: string, shape: Shape): Node {
    return this.node("param", [], { name, shape: shape.join("x") });
  }
  dropoutMask(shape: Shape, rate: number, id: number): Node {
    return this.node("dropout_mask", [], { rate, id, shape: shape.join("x") });
  }

  // ---- elementwise, with scalar operands broadcast ----
  private binary(op: string, a: Node, b: Node): Node {
    if (!sameShape(a.shape, b.shape)) {
      if (a.shape.length === 0) a = this.broadcast(a, b.shape);
      else if (b.shape.length === 0) b = this.broadcast(b, a.shape);
    }
    return this.node(op, [a, b]);
  }
  add(a: Node, b: Node): Node {
    return this.binary("add", a, b);
  }
  sub(a: Node, b: Node): Node {
    return this.binary("sub", a, b);
  }
  mul(a: Node, b: Node): Node {
    return this.binary("mul", a, b);
  }
  div(a: Node, b: Node): Node {
    return this.binary("div", a, b);
  }
  unary(op: string, a: Node, attrs: Attrs = {}): Node {
    return this.node(op, [a], attrs);
  }
  neg(a: Node): Node {
    return this.unary("neg", a);
  }
  pow(a: Node, exponent: number): Node {
    return this.unary("pow", a, { exponent });
  }

  // ---- structure ----
  broadcast(a: Node, shape: Shape): Node {
    if (sameShape(a.shape, shape)) return a;
    return this.node("broadcast", [a], { shape: shape.join("x") });
  }
  sum(a: Node): Node {
    if (a.shape.length === 0) return a;
    return this.node("sum", [a]);
  }
  mean(a: Node): Node {
    if (a.shape.length === 0) return a;
    return this.mul(this.sum(a), this.const(1 / sizeOf(a.shape)));
  }
  matvec(w: Node, x: Node): Node {
    return this.node("matvec", [w, x]);
  }
  /** wᵀ @ v without materializing the transpose. */
  matvecT(w: Node, v: Node): Node {
    return this.node("matvec_t", [w, v]);
  }
  outer(a: Node, b: Node): Node {
    return this.node("outer", [a, b]);
  }
}

/** Parses the `shape` attribute of leaves and broadcast ("2x3" -> [2, 3], "" -> []). */
export function shapeAttr(attrs: Attrs): Shape {
  const text = attrs["shape"];
  if (typeof text !== "string") throw new ShapeError("missing shape attribute");
  return text === "" ? [] : text.split("x").map(Number);
}
