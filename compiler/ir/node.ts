// The graph IR's node: an immutable, interned tensor operation with a static shape.
//
//   { id: 7, op: "matvec", inputs: [W_h, x], shape: [2], attrs: {}, role: "forward",
//     origin: { line: 5, text: "h = dense(x, 2, sigmoid)" } }
//
// Nodes are created only through `Graph` (graph.ts), which interns them: building the same
// op on the same inputs twice returns the same node, so common subexpressions are shared.

export type Shape = readonly number[];

/** Attribute values are plain data so they print and hash stably. */
export type AttrValue = number | string | boolean;
export type Attrs = Readonly<Record<string, AttrValue>>;

/** Where a node came from in the DSL, for comments in generated code and graph labels. */
export interface Origin {
  line: number;
  /** The DSL statement's text, trimmed. */
  text: string;
}

/** Which part of the program created a node: the forward model or the derived gradient. */
export type Role = "forward" | "gradient";

export interface Node {
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly Node[];
  readonly shape: Shape;
  readonly attrs: Attrs;
  /** The model line of the code that created the node first (interning keeps the first). */
  readonly origin?: Origin;
  readonly role: Role;
}

/**
 * Readable names of nodes by id (`h`, `z_h`, `dz_h`), kept beside the graph rather than on
 * its nodes: elaboration gives the user's names, and one naming step (passes/naming.ts)
 * adds the rest. Parameters and inputs are named by their `name` attribute instead.
 */
export type Names = ReadonlyMap<number, string>;

/** Raised by shape rules; elaboration turns it into a located diagnostic. */
export class ShapeError extends Error {}

/** Parses the `shape` attribute of leaves and broadcast ("2x3" -> [2, 3], "" -> []). */
export function shapeAttr(attrs: Attrs): Shape {
  const text = attrs["shape"];
  if (typeof text !== "string") throw new ShapeError("missing shape attribute");
  return text === "" ? [] : text.split("x").map(Number);
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeText(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The shape two operands of an elementwise op broadcast to: the longer one, when the shorter
 * is its suffix (a scalar, or a bias [16] against [26, 26, 16]); else undefined. (NumPy also
 * stretches size-1 dimensions; the language does not, so [3] − [1] stays a shape error.)
 */
export function suffixBroadcast(a: Shape, b: Shape): Shape | undefined {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  return sameShape(long.slice(long.length - short.length), short) ? long : undefined;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Nodes reachable from `roots`, inputs before users (a topological order), each once. */
export function topoOrder(roots: readonly Node[]): Node[] {
  return newNodes(roots, () => false);
}

/**
 * Like topoOrder, but stops at nodes `known` says are done already: the nodes a memoized
 * analysis still has to visit, inputs first. Iterative, so deep graphs never overflow the stack.
 */
export function newNodes(roots: readonly Node[], known: (node: Node) => boolean): Node[] {
  const seen = new Set<number>();
  const order: Node[] = [];
  // Iterative DFS: deep graphs (long chains of layers) must not overflow the JS stack.
  const stack: { node: Node; next: number }[] = [];
  for (const root of roots) {
    if (seen.has(root.id) || known(root)) continue;
    seen.add(root.id);
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.inputs.length) {
        const child = top.node.inputs[top.next++]!;
        if (!seen.has(child.id) && !known(child)) {
          seen.add(child.id);
          stack.push({ node: child, next: 0 });
        }
      } else {
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}
