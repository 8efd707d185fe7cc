// Binding a call's arguments to a function's signature, with located errors for
// wrong counts, unknown or repeated named arguments, and values of the wrong kind.
//
//   signature dense(x, units, activation = "linear", l1 = 0, l2 = 0)
//   dense(h, 2, sigmoid, l2 = 1e-4)  ->  { x: h, units: 2, activation: sigmoid, l2: 1e-4 }

import type { BinaryOp, CallExpr, Expr, Loc } from "../ast.js";
import { closest } from "../suggest.js";

export interface Param {
  name: string;
  /** Absent means required. */
  default?: number | boolean | string;
}

export interface Signature {
  name: string;
  params: Param[];
}

export type Fail = (loc: Loc, message: string) => never;

/** The bound arguments of one call; values are still expressions, read with the typed getters. */
export class BoundArgs {
  constructor(
    readonly call: CallExpr,
    private readonly values: Map<string, Expr>,
    readonly signature: Signature,
    private readonly fail: Fail,
  ) {}

  expr(name: string): Expr | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  private defaultOf(name: string): number | boolean | string | undefined {
    return this.signature.params.find((p) => p.name === name)?.default;
  }

  /** A compile-time number: literals, unary minus and arithmetic on literals. */
  number(name: string, range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {}): number {
    const e = this.values.get(name);
    let value: number;
    if (!e) {
      const d = this.defaultOf(name);
      if (typeof d !== "number") throw new Error(`internal: no default for '${name}'`);
      return d;
    }
    const v = constantValue(e);
    if (v === undefined) this.fail(e.loc, `'${name}' of ${this.signature.name}() must be a number`);
    value = v;
    if (!Number.isFinite(value)) this.fail(e.loc, `'${name}' of ${this.signature.name}() must be finite`);
    if (range.integer && !Number.isInteger(value)) this.fail(e.loc, `'${name}' of ${this.signature.name}() must be an integer, got ${value}`);
    if (range.min !== undefined && (range.minExclusive ? value <= range.min : value < range.min)) {
      this.fail(e.loc, `'${name}' of ${this.signature.name}() must be ${range.minExclusive ? ">" : "≥"} ${range.min}, got ${value}`);
    }
    if (range.max !== undefined && (range.maxExclusive ? value >= range.max : value > range.max)) {
      this.fail(e.loc, `'${name}' of ${this.signature.name}() must be ${range.maxExclusive ? "<" : "≤"} ${range.max}, got ${value}`);
    }
    return value;
  }

  bool(name: string): boolean {
    const e = this.values.get(name);
    if (!e) return this.defaultOf(name) === true;
    if (e.kind !== "bool") this.fail(e.loc, `'${name}' of ${this.signature.name}() must be true or false`);
    return e.value;
  }

  /**
   * A size given once or per dimension: `3` or `[3, 2]` (kernel_size, strides, pool_size), as
   * positive integers; [n, n] for a single n. Undefined when absent and without a default.
   */
  pair(name: string): [number, number] | undefined {
    const e = this.values.get(name);
    if (!e) {
      const d = this.defaultOf(name);
      return typeof d === "number" ? [d, d] : undefined;
    }
    const what = `'${name}' of ${this.signature.name}() must be a positive integer or a list of two, such as 3 or [3, 3]`;
    const items = e.kind === "list" ? e.items : [e];
    if (items.length !== 1 && items.length !== 2) this.fail(e.loc, what);
    const values = items.map((item) => {
      const v = constantValue(item);
      if (v === undefined || !Number.isInteger(v) || v < 1) this.fail(item.loc, what);
      return v;
    });
    return [values[0]!, values[values.length - 1]!];
  }

  /** A list of positive integers: a shape, such as [5, 5, 32]. */
  shape(name: string): number[] {
    const e = this.values.get(name);
    const what = `'${name}' of ${this.signature.name}() must be a list of positive integers, such as [5, 5, 32]`;
    if (!e || e.kind !== "list" || e.items.length === 0) return this.fail(e?.loc ?? this.call.loc, what);
    return e.items.map((item) => {
      const v = constantValue(item);
      if (v === undefined || !Number.isInteger(v) || v < 1) this.fail(item.loc, what);
      return v;
    });
  }

  /** One of a few words, written as a string or a bare name: `padding = "same"` or `padding = same`. */
  choice<T extends string>(name: string, options: readonly T[]): T {
    const e = this.values.get(name);
    const value = !e ? String(this.defaultOf(name)) : e.kind === "string" ? e.value : e.kind === "name" ? e.name : undefined;
    if (value === undefined || !(options as readonly string[]).includes(value)) {
      const hint = value === undefined ? undefined : closest(value, options);
      this.fail(e!.loc, `'${name}' of ${this.signature.name}() must be ${options.map((o) => `"${o}"`).join(" or ")}${value !== undefined ? `, got "${value}"` : ""}${hint ? `; did you mean "${hint}"?` : ""}`);
    }
    return value as T;
  }

  /** A bare identifier argument such as an activation or initializer name. */
  word(name: string): { word: string; loc: Loc } {
    const e = this.values.get(name);
    if (!e) return { word: String(this.defaultOf(name)), loc: this.call.loc };
    if (e.kind !== "name") this.fail(e.loc, `'${name}' of ${this.signature.name}() must be a name such as 'relu'`);
    return { word: e.name, loc: e.loc };
  }
}

export function constantValue(e: Expr): number | undefined {
  // Unary chains and left spines (`1 + 1 + … + 1`) are walked with loops: they can be
  // thousands deep, and recursion per level would overflow the stack.
  let signs = 0;
  for (; e.kind === "unary"; e = e.operand) signs++;
  const sign = signs % 2 === 0 ? 1 : -1;
  if (e.kind === "num") return sign * e.value;
  if (e.kind !== "binary") return undefined;
  const spine: (Expr & { kind: "binary" })[] = [];
  let leftmost: Expr = e;
  for (; leftmost.kind === "binary"; leftmost = leftmost.left) spine.push(leftmost);
  let acc = constantValue(leftmost);
  for (let i = spine.length - 1; i >= 0 && acc !== undefined; i--) {
    const b = constantValue(spine[i]!.right);
    if (b === undefined) return undefined;
    acc = applyConstant(spine[i]!.op, acc, b);
  }
  return acc === undefined ? undefined : sign * acc;
}

function applyConstant(op: BinaryOp, a: number, b: number): number | undefined {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    case "^":
      return Math.pow(a, b);
    default:
      return undefined;
  }
}

export function bindArgs(call: CallExpr, sig: Signature, fail: Fail): BoundArgs {
  const values = new Map<string, Expr>();
  if (call.args.length > sig.params.length) {
    const extra = call.args[sig.params.length]!;
    fail(extra.loc, `${sig.name}() takes at most ${sig.params.length} argument${sig.params.length === 1 ? "" : "s"} (${sig.params.map((p) => p.name).join(", ")}), got ${call.args.length}`);
  }
  call.args.forEach((arg, i) => values.set(sig.params[i]!.name, arg));
  for (const named of call.named) {
    const known = sig.params.find((p) => p.name === named.name);
    if (!known) {
      const hint = closest(named.name, sig.params.map((p) => p.name));
      fail(named.nameLoc, `${sig.name}() has no argument '${named.name}'${hint ? `; did you mean '${hint}'?` : ""} (it takes ${sig.params.map((p) => p.name).join(", ") || "none"})`);
    }
    if (values.has(named.name)) fail(named.nameLoc, `argument '${named.name}' of ${sig.name}() is given twice`);
    values.set(named.name, named.value);
  }
  for (const p of sig.params) {
    if (p.default === undefined && !values.has(p.name)) {
      fail(call.loc, `${sig.name}() is missing its argument '${p.name}'`);
    }
  }
  return new BoundArgs(call, values, sig, fail);
}
