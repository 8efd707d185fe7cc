// Graph construction with interning (hash-consing): `graph.add(a, b)` twice returns the
// same node, so common subexpressions are shared by construction (CSE for free).
// Every constructor checks shapes through the shape rule it was given (the op table's, see
// ops/registry.ts `newGraph`); a mismatch throws ShapeError.
//
//   const graph = newGraph();                         // ops/registry.ts
//   const g = graph.at({ line: 5, text: "h = …" });   // nodes made through g carry line 5
//   const z = g.add(g.matvec(W, x), b);               // shape [2]
//   g.add(g.matvec(W, x), b) === z                    // true
//
// A `Graph` is a view of one shared interning store with a fixed stamp (the model line and
// the role, forward or gradient, given to nodes it creates). Views never change: `at` makes
// another view of the same store, so passes say where their nodes come from explicitly.

import { type Attrs, type Node, type Origin, type Role, type Shape, sameShape, sizeOf, suffixBroadcast } from "./node.js";

/** The shape of `op` applied to operands of `inputs` shapes (throws ShapeError). */
export type ShapeRule = (op: string, inputs: readonly Shape[], attrs: Attrs) => Shape;

function attrKey(attrs: Attrs): string {
  const keys = Object.keys(attrs).sort();
  return keys.map((k) => `${k}=${JSON.stringify(attrs[k])}`).join(",");
}

/** The interning store shared by every view of one graph. */
class Store {
  readonly interned = new Map<string, Node>();
  nextId = 0;
  constructor(readonly shapeOf: ShapeRule) {}
}

/** What a view stamps on the nodes it creates. */
export interface Stamp {
  readonly origin?: Origin;
  readonly role: Role;
}

export class Graph {
  private constructor(
    private readonly store: Store,
    readonly stamp: Stamp,
  ) {}

  /** A new, empty graph whose nodes get their shapes from `shapeOf`. */
  static create(shapeOf: ShapeRule): Graph {
    return new Graph(new Store(shapeOf), { role: "forward" });
  }

  /** A view of the same graph whose new nodes come from `origin`, in `role` (default: this view's). */
  at(origin: Origin | undefined, role: Role = this.stamp.role): Graph {
    return new Graph(this.store, origin ? { origin, role } : { role });
  }

  /** The interned node for `op(inputs; attrs)`, created (with this view's stamp) if new. */
  node(op: string, inputs: readonly Node[], attrs: Attrs = {}): Node {
    const key = `${op}(${attrKey(attrs)})[${inputs.map((n) => n.id).join(",")}]`;
    const found = this.store.interned.get(key);
    if (found) return found;
    const shape = this.store.shapeOf(
      op,
      inputs.map((n) => n.shape),
      attrs,
    );
    const node: Node = { id: this.store.nextId++, op, inputs, shape, attrs, ...this.stamp };
    this.store.interned.set(key, node);
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

  // ---- elementwise, a shorter operand broadcast over the longer one's leading dimensions ----
  private binary(op: string, a: Node, b: Node): Node {
    if (!sameShape(a.shape, b.shape)) {
      const to = suffixBroadcast(a.shape, b.shape);
      if (to) {
        a = this.broadcast(a, to);
        b = this.broadcast(b, to);
      }
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
