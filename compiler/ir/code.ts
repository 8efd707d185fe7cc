// The loop language of lowered kernels: expressions and statements over named arrays and
// scalars, as plain data. Op lowerings build it (ops/), `lower` arranges it into a Program
// (lower/program.ts), and every printer prints it (TypeScript today). No JavaScript text is
// made before printing.
//
//   for (let i = 0; i < 128; i++) z_h[b * 128 + i] = Wx_h[b * 128 + i] + p[100352 + i];
//   ==  loop("i", 0, 128, [store("z_h", add(mul(v("b"), 128), v("i")), "=", add(load(...), load(...)))])

export type BinaryOp = "+" | "-" | "*" | "/";
export type CompareOp = ">" | ">=" | "<" | "<=" | "===";

export type Expr =
  | { readonly k: "num"; readonly value: number }
  /** A scalar variable: a local, a loop index, or a function parameter. */
  | { readonly k: "var"; readonly name: string }
  /** `array[index]`. */
  | { readonly k: "load"; readonly array: string; readonly index: Expr }
  | { readonly k: "binary"; readonly op: BinaryOp; readonly a: Expr; readonly b: Expr }
  /** `t0 + t1 + … + tn`, added left to right (an n-ary node, so long sums are not deep trees). */
  | { readonly k: "sum"; readonly terms: readonly Expr[] }
  | { readonly k: "neg"; readonly a: Expr }
  /** A call of a function by name: `Math.exp`, `normalCdf`, `rng.uniform`. */
  | { readonly k: "call"; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly k: "compare"; readonly op: CompareOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: "and"; readonly a: Expr; readonly b: Expr }
  | { readonly k: "or"; readonly a: Expr; readonly b: Expr }
  | { readonly k: "cond"; readonly test: Expr; readonly then: Expr; readonly else: Expr };

export type AssignOp = "=" | "+=" | "-=" | "*=";

export type Stmt =
  /** `const name = value;` or `let name = value;` */
  | { readonly k: "decl"; readonly kind: "const" | "let"; readonly name: string; readonly value: Expr }
  /** `array[index] op value;` */
  | { readonly k: "store"; readonly array: string; readonly index: Expr; readonly op: AssignOp; readonly value: Expr }
  /** `name op value;` for a `let` local. */
  | { readonly k: "assign"; readonly name: string; readonly op: AssignOp; readonly value: Expr }
  /**
   * `for (let v = from; v < to; v += step)`, or with `from` absent `for (; v + step − 1 < to; v += step)`
   * over a `let v` declared before (`whole`: only whole steps), or `for (; v < to; v++)`.
   */
  | { readonly k: "for"; readonly v: string; readonly from?: Expr; readonly to: Expr; readonly step: number; readonly whole?: boolean; readonly body: readonly Stmt[] }
  /** `if (test) { body }` (a window that may reach past a padded image). */
  | { readonly k: "if"; readonly test: Expr; readonly body: readonly Stmt[] }
  /** A call as a statement: `gradRows_1(p, X, n);` */
  | { readonly k: "call"; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly k: "return"; readonly value: Expr }
  /**
   * Statements computing one value (or one sink), headed by the model line they come from:
   * a printer writes the comment once for consecutive blocks with the same comment.
   */
  | { readonly k: "block"; readonly comment: string; readonly node?: number; readonly body: readonly Stmt[] };

// ---- constructors ----

export const num = (value: number): Expr => ({ k: "num", value });
export const v = (name: string): Expr => ({ k: "var", name });
export const load = (array: string, index: Expr | number): Expr => ({ k: "load", array, index: typeof index === "number" ? num(index) : index });
export const neg = (a: Expr): Expr => ({ k: "neg", a });
export const call = (fn: string, ...args: Expr[]): Expr => ({ k: "call", fn, args });
export const compare = (op: CompareOp, a: Expr, b: Expr): Expr => ({ k: "compare", op, a, b });
export const cond = (test: Expr, then: Expr, otherwise: Expr): Expr => ({ k: "cond", test, then, else: otherwise });
export const and = (a: Expr, b: Expr): Expr => ({ k: "and", a, b });
export const or = (a: Expr, b: Expr): Expr => ({ k: "or", a, b });

export function binary(op: BinaryOp, a: Expr, b: Expr): Expr {
  return { k: "binary", op, a, b };
}

/** `terms[0] + terms[1] + …`; `0` for none, the term itself for one. */
export function sum(terms: readonly Expr[]): Expr {
  if (terms.length === 0) return num(0);
  if (terms.length === 1) return terms[0]!;
  return { k: "sum", terms };
}

/**
 * Integer index arithmetic, folded where both sides are literals: `base + i * stride`. Sums
 * lean left (`a + (j + 1)` is `a + j + 1`), which integers allow and reads better.
 */
export function indexAdd(a: Expr | number, b: Expr | number): Expr {
  const [x, y] = [typeof a === "number" ? num(a) : a, typeof b === "number" ? num(b) : b];
  if (x.k === "num" && y.k === "num") return num(x.value + y.value);
  if (x.k === "num" && x.value === 0) return y;
  if (y.k === "num" && y.value === 0) return x;
  if (y.k === "binary" && y.op === "+") return binary("+", indexAdd(x, y.a), y.b);
  if (y.k === "num" && y.value < 0) return binary("-", x, num(-y.value));
  return binary("+", x, y);
}

export function indexMul(a: Expr, k: number): Expr {
  if (a.k === "num") return num(a.value * k);
  return k === 1 ? a : binary("*", a, num(k));
}

export const decl = (kind: "const" | "let", name: string, value: Expr): Stmt => ({ k: "decl", kind, name, value });
export const store = (array: string, index: Expr | number, op: AssignOp, value: Expr): Stmt => ({
  k: "store",
  array,
  index: typeof index === "number" ? num(index) : index,
  op,
  value,
});
export const assign = (name: string, op: AssignOp, value: Expr): Stmt => ({ k: "assign", name, op, value });
export const loop = (name: string, from: number | Expr, to: number | Expr, body: readonly Stmt[], step = 1): Stmt => ({
  k: "for",
  v: name,
  from: typeof from === "number" ? num(from) : from,
  to: typeof to === "number" ? num(to) : to,
  step,
  body,
});
export const callStmt = (fn: string, args: readonly Expr[]): Stmt => ({ k: "call", fn, args });
/** `if (test) body`; the body alone when there is nothing to test (undefined), nothing when the test is known to fail (false). */
export const when = (test: Expr | undefined | false, body: readonly Stmt[]): Stmt[] => (test === false ? [] : test ? [{ k: "if", test, body }] : [...body]);
export const ret = (value: Expr): Stmt => ({ k: "return", value });
export const block = (comment: string, body: readonly Stmt[], node?: number): Stmt => ({ k: "block", comment, body, ...(node !== undefined ? { node } : {}) });

// ---- queries ----

/** The operands of an expression, in the order they are evaluated (and printed). */
export function children(e: Expr): readonly Expr[] {
  switch (e.k) {
    case "num":
    case "var":
      return [];
    case "load":
      return [e.index];
    case "binary":
    case "compare":
    case "and":
    case "or":
      return [e.a, e.b];
    case "sum":
      return e.terms;
    case "neg":
      return [e.a];
    case "call":
      return e.args;
    case "cond":
      return [e.test, e.then, e.else];
  }
}

/** Whether `e` mentions the variable `name`. */
export function mentions(e: Expr, name: string): boolean {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.k === "var" && x.name === name) return true;
    stack.push(...children(x));
  }
  return false;
}

/** Rebuilds `e` with every sub-expression passed through `f` first (top-down, `f` returning undefined to descend). */
export function mapExpr(e: Expr, f: (x: Expr) => Expr | undefined): Expr {
  const replaced = f(e);
  if (replaced) return replaced;
  switch (e.k) {
    case "num":
    case "var":
      return e;
    case "load":
      return { ...e, index: mapExpr(e.index, f) };
    case "binary":
    case "compare":
    case "and":
    case "or":
      return { ...e, a: mapExpr(e.a, f), b: mapExpr(e.b, f) };
    case "sum":
      return { ...e, terms: e.terms.map((t) => mapExpr(t, f)) };
    case "neg":
      return { ...e, a: mapExpr(e.a, f) };
    case "call":
      return { ...e, args: e.args.map((a) => mapExpr(a, f)) };
    case "cond":
      return { ...e, test: mapExpr(e.test, f), then: mapExpr(e.then, f), else: mapExpr(e.else, f) };
  }
}

/** A function call: its callee and arguments. */
export interface Call {
  fn: string;
  args: readonly Expr[];
}

/** The statements with every expression in them, at any depth, mapped as mapExpr(·, f) maps it. */
export function mapStmtExprs(stmts: readonly Stmt[], f: (x: Expr) => Expr | undefined): Stmt[] {
  const e = (x: Expr) => mapExpr(x, f);
  return stmts.map((s): Stmt => {
    switch (s.k) {
      case "decl":
      case "assign":
      case "return":
        return { ...s, value: e(s.value) };
      case "store":
        return { ...s, index: e(s.index), value: e(s.value) };
      case "for":
        return { ...s, ...(s.from ? { from: e(s.from) } : {}), to: e(s.to), body: mapStmtExprs(s.body, f) };
      case "if":
        return { ...s, test: e(s.test), body: mapStmtExprs(s.body, f) };
      case "block":
        return { ...s, body: mapStmtExprs(s.body, f) };
      case "call":
        return { ...s, args: s.args.map(e) };
    }
  });
}

/**
 * The statements with their calls rewritten by `f` (undefined: kept): call statements and the
 * calls a declaration or return takes its value from (`const sq = f(…)`, `return f(…)`).
 */
export function mapCalls(stmts: readonly Stmt[], f: (call: Call) => Call | undefined): Stmt[] {
  return stmts.map((s): Stmt => {
    switch (s.k) {
      case "call":
        return { ...s, ...f(s) };
      case "return":
      case "decl":
        return s.value.k === "call" ? { ...s, value: { ...s.value, ...f(s.value) } } : s;
      case "for":
      case "block":
      case "if":
        return { ...s, body: mapCalls(s.body, f) };
      default:
        return s;
    }
  });
}

/** Every variable and array the statements mention (read or written). */
export function namesUsed(stmts: readonly Stmt[]): Set<string> {
  const out = new Set<string>();
  const exprs: Expr[] = [];
  const stack: Stmt[] = [...stmts];
  while (stack.length > 0) {
    const s = stack.pop()!;
    switch (s.k) {
      case "decl":
        exprs.push(s.value);
        break;
      case "store":
        out.add(s.array);
        exprs.push(s.index, s.value);
        break;
      case "assign":
        out.add(s.name);
        exprs.push(s.value);
        break;
      case "for":
        if (s.from) exprs.push(s.from);
        exprs.push(s.to);
        stack.push(...s.body);
        break;
      case "if":
        exprs.push(s.test);
        stack.push(...s.body);
        break;
      case "call":
        exprs.push(...s.args);
        break;
      case "return":
        exprs.push(s.value);
        break;
      case "block":
        stack.push(...s.body);
        break;
    }
  }
  while (exprs.length > 0) {
    const x = exprs.pop()!;
    if (x.k === "var") out.add(x.name);
    else if (x.k === "load") out.add(x.array);
    else if (x.k === "call") out.add(x.fn.split(".")[0]!);
    exprs.push(...children(x));
  }
  return out;
}
