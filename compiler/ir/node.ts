// The graph IR's node: an immutable, interned tensor operation with a static shape.
//
//   { id: 7, op: "matvec", inputs: [W_h, x], shape: [2], attrs: {}, origin: { line: 5, text: "h = dense(x, 2, sigmoid)" } }
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

export interface Node {
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly Node[];
  readonly shape: Shape;
  readonly attrs: Attrs;
  /** A readable name (user variable, `W_h`, `dloss_dW_h`); the first one given wins. */
  name?: string;
  origin?: Origin;
  /** Which part of the program created it: the forward model or the derived gradient. */
  role?: "forward" | "gradient";
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
  const seen = new Set<number>();
  const order: Node[] = [];
  // Iterative DFS: deep graphs (long chains of layers) must not overflow the JS stack.
  const stack: { node: Node; next: number }[] = [];
  for (const root of roots) {
    if (seen.has(root.id)) continue;
    seen.add(root.id);
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.inputs.length) {
        const child = top.node.inputs[top.next++]!;
        if (!seen.has(child.id)) {
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
