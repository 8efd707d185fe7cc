// The row loops as WebAssembly: statements of the loop language (ir/code.ts) translated into
// WebAssembly statements (code.ts) over the kernels' memory, for rows.ts, which moves runs of
// them out of the JavaScript kernels. Integers (loop indices, index arithmetic, `let at = -1`)
// are i32 locals; every other number is an f64, as in JavaScript: an f32 memory's elements are
// promoted when loaded and demoted when stored, so each operation is the one JavaScript performs,
// in the same order, and the results are the JavaScript kernels' bit for bit in both precisions
// (IEEE +, −, ×, ÷, √, min and max are correctly rounded and deterministic in both). The
// innermost loops over contiguous elements run as vectors (rows-vector.ts, through RowsScope.vector)
// where that keeps them so.
//
//   for (let i3 = 0; i3 < 32; i3++) c1[b * 25088 + i3] = Math.max(Kx_c1[b * 25088 + i3]! + p[288 + i3]!, 0);
//   ->  (f32.store offset=… (…) (f32.demote_f64 (f64.max (f64.add (f64.promote_f32 (f32.load …)) …) (f64.const 0))))
//
// What it cannot express (calls such as Math.exp and rng.uniform(), returns, a number that is
// neither an integer nor a double) throws Untranslatable: those statements stay JavaScript.

import { type Expr, type Stmt, children } from "../../ir/code.js";
import { type ValType, type WExpr, type WStmt, choose, comment, fconst, get, i32, iadd, imul, op, set, wfor, wif, wload, wstore } from "./code.js";
import type { Precision } from "./gemm.js";

/** A statement or expression the translation cannot express: it stays JavaScript. */
export class Untranslatable extends Error {}

/** What a number is in WebAssembly: an integer, a double, a truth value, or not a number (an array, a Rng). */
export type NumType = "i32" | "f64" | "bool" | "other";

export const refuse = (what: string): never => {
  throw new Untranslatable(what);
};

/** The type of the two combined: other beats f64 beats i32; a truth value mixes with nothing. */
export function join(a: NumType, b: NumType): NumType {
  if (a === b) return a;
  if (a === "other" || b === "other" || a === "bool" || b === "bool") return "other";
  return "f64";
}

const isInt = (x: number) => Number.isInteger(x) && !Object.is(x, -0) && Math.abs(x) < 2 ** 31;

/** An expression's type, the variables' types given. */
export function typeOf(e: Expr, vars: (name: string) => NumType): NumType {
  switch (e.k) {
    case "num":
      return isInt(e.value) ? "i32" : "f64";
    case "var":
      return vars(e.name);
    case "load":
      return "f64";
    case "binary": {
      const t = join(typeOf(e.a, vars), typeOf(e.b, vars));
      return t === "i32" && e.op === "/" ? "f64" : t;
    }
    case "sum":
      return e.terms.map((t) => typeOf(t, vars)).reduce(join);
    case "neg":
      return join(typeOf(e.a, vars), "f64");
    case "call":
      return MATH.has(e.fn) && e.args.every((a) => join(typeOf(a, vars), "f64") === "f64") ? "f64" : "other";
    case "compare":
      return join(typeOf(e.a, vars), typeOf(e.b, vars)) === "other" ? "other" : "bool";
    case "and":
    case "or":
      return typeOf(e.a, vars) === "bool" && typeOf(e.b, vars) === "bool" ? "bool" : "other";
    case "cond":
      return typeOf(e.test, vars) === "bool" ? join(typeOf(e.then, vars), typeOf(e.else, vars)) : "other";
  }
}

const F64_BINARY = { "+": "f64.add", "-": "f64.sub", "*": "f64.mul", "/": "f64.div" } as const;
const I32_BINARY = { "+": "i32.add", "-": "i32.sub", "*": "i32.mul" } as const;

const MATH = new Set(["Math.max", "Math.min", "Math.abs", "Math.sqrt", "Math.fround"]);

/** Where the translation finds its arrays and the numbers it does not declare itself. */
export interface RowsScope {
  precision: Precision;
  /** Every variable's type in the function the statements come from (rows.ts typeEnv). */
  type(name: string): NumType;
  /** An array's byte address: a buffer's, or a parameter's (then a free array); throws Untranslatable for others. */
  array(name: string, written: boolean): WExpr;
  /** A loop as vector code (rows-vector.ts), or undefined to translate it one element at a time. */
  vector?(t: RowsTranslation, loop: Stmt & { k: "for" }): WStmt[] | undefined;
}

/** Whether `e` reads memory (a branch that may be skipped must not be evaluated when it does). */
export function reads(e: Expr): boolean {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.k === "load") return true;
    stack.push(...children(x));
  }
  return false;
}

/** `index` as a variable part and a constant: `b * 10 + 3` -> [b * 10, 3]. */
export function splitConstant(index: Expr): [Expr | undefined, number] {
  if (index.k === "num") return [undefined, index.value];
  if (index.k === "binary" && (index.op === "+" || index.op === "-") && index.b.k === "num") {
    const [rest, c] = splitConstant(index.a);
    return [rest, c + (index.op === "+" ? index.b.value : -index.b.value)];
  }
  return [index, 0];
}

/** The loop language's comparisons by their WebAssembly names (`f64.gt`, `i32x4.lt_s`, …). */
export const COMPARE_NAMES = { ">": "gt", ">=": "ge", "<": "lt", "<=": "le", "===": "eq" } as const;

/** One run of statements translated: its body, the locals it declares, and the variables it reads but does not declare. */
export class RowsTranslation {
  readonly locals = new Map<string, ValType>();
  readonly declared = new Set<string>();
  /** Variables it reads without declaring them (kernel arrays, `n`, a reduction's total): they become the helper's parameters, in order of first use. */
  readonly free = new Map<string, "i32" | "f64">();
  /** Variables it assigns (a run may not assign one it does not declare: rows.ts checks). */
  readonly assigned = new Set<string>();
  readonly bytes: number;
  /** Locals holding tests (selects). */
  private tests = 0;
  constructor(readonly scope: RowsScope) {
    this.bytes = scope.precision === "f64" ? 8 : 4;
  }

  /** A local (declared on first use), refusing one name with two types. */
  local(name: string, type: ValType): string {
    const known = this.locals.get(name);
    if (known !== undefined && known !== type) refuse(`local ${name} as ${known} and ${type}`);
    this.locals.set(name, type);
    return name;
  }

  type(e: Expr): NumType {
    return typeOf(e, (n) => this.scope.type(n));
  }

  /** The byte address of `array[index]`: an address expression and a constant offset (WebAssembly's memarg). */
  address(array: string, index: Expr, written: boolean): [WExpr, number] {
    if (this.type(index) !== "i32") refuse(`index of ${array} not an integer`);
    const base = this.scope.array(array, written);
    const [rest, c] = splitConstant(index);
    const scaled = rest ? imul(this.int(rest), this.bytes) : i32(0);
    if (base.k === "const" && base.value + c * this.bytes >= 0) return [scaled, base.value + c * this.bytes];
    if (c >= 0) return [iadd(base, scaled), c * this.bytes];
    return [iadd(iadd(base, scaled), c * this.bytes), 0];
  }

  load(array: string, index: Expr): WExpr {
    const [addr, offset] = this.address(array, index, false);
    return this.bytes === 8 ? wload("f64.load", addr, offset) : op("f64.promote_f32", wload("f32.load", addr, offset));
  }

  store(array: string, index: Expr, value: WExpr): WStmt {
    const [addr, offset] = this.address(array, index, true);
    return this.bytes === 8 ? wstore("f64.store", addr, offset, value) : wstore("f32.store", addr, offset, op("f32.demote_f64", value));
  }

  variable(name: string, type: NumType): WExpr {
    if (type !== "i32" && type !== "f64") return refuse(`variable ${name}`);
    if (!this.declared.has(name)) this.free.set(name, type);
    return get(this.local(name, type));
  }

  /** An integer expression as i32. */
  int(e: Expr): WExpr {
    if (this.type(e) !== "i32") return refuse("an integer expression that is not one");
    switch (e.k) {
      case "num":
        return i32(e.value);
      case "var":
        return this.variable(e.name, "i32");
      case "binary":
        if (e.op === "/") return refuse("integer division");
        return op(I32_BINARY[e.op], this.int(e.a), this.int(e.b));
      case "sum":
        return e.terms.map((t) => this.int(t)).reduce((a, b) => op("i32.add", a, b));
      case "cond":
        return this.select("i32", e);
      default:
        return refuse(`${e.k} as an integer`);
    }
  }

  /**
   * `test ? then : else`: both sides computed and one selected, without a branch that data can
   * mispredict (relu's gradient), when neither reads memory (a side JavaScript skips might reach
   * outside it: im2col's padding); else only the side taken.
   */
  private select(type: "i32" | "f64", e: Expr & { k: "cond" }): WExpr {
    const side = (x: Expr) => (type === "i32" ? this.int(x) : this.f64(x));
    if (reads(e.then) || reads(e.else)) return choose(type, this.test(e.test), side(e.then), side(e.else));
    return op("select", side(e.then), side(e.else), this.test(e.test));
  }

  /** A number as f64 (integers converted, as JavaScript holds them). */
  f64(e: Expr): WExpr {
    if (e.k === "call" && !MATH.has(e.fn)) return refuse(`call of ${e.fn}`);
    const t = this.type(e);
    if (t === "i32") return op("f64.convert_i32_s", this.int(e));
    if (t !== "f64") return refuse(`${e.k} as a number`);
    switch (e.k) {
      case "num":
        return fconst("f64", e.value);
      case "var":
        return this.variable(e.name, "f64");
      case "load":
        return this.load(e.array, e.index);
      case "binary":
        return op(F64_BINARY[e.op], this.f64(e.a), this.f64(e.b));
      case "sum":
        return e.terms.map((x) => this.f64(x)).reduce((a, b) => op("f64.add", a, b));
      case "neg":
        return op("f64.neg", this.f64(e.a));
      case "call": {
        const args = e.args.map((a) => this.f64(a));
        if ((e.fn === "Math.max" || e.fn === "Math.min") && args.length > 0) return args.reduce((a, b) => op(e.fn === "Math.max" ? "f64.max" : "f64.min", a, b));
        if (args.length !== 1) return refuse(`${e.fn} of ${args.length} arguments`);
        if (e.fn === "Math.abs") return op("f64.abs", args[0]!);
        if (e.fn === "Math.sqrt") return op("f64.sqrt", args[0]!);
        if (e.fn === "Math.fround") return op("f64.promote_f32", op("f32.demote_f64", args[0]!));
        return refuse(`call of ${e.fn}`);
      }
      case "cond":
        return this.select("f64", e);
      default:
        return refuse(`${e.k} as a number`);
    }
  }

  /** A truth value as an i32 (0 or 1); && and || evaluate their right side only when JavaScript would, if it reads memory. */
  test(e: Expr): WExpr {
    if (this.type(e) !== "bool") return refuse("a test that is not a comparison");
    switch (e.k) {
      case "compare": {
        const ints = this.type(e.a) === "i32" && this.type(e.b) === "i32";
        const name = COMPARE_NAMES[e.op];
        if (ints) return op(`i32.${name}${e.op === "===" ? "" : "_s"}` as "i32.eq", this.int(e.a), this.int(e.b));
        return op(`f64.${name}` as "f64.eq", this.f64(e.a), this.f64(e.b));
      }
      case "and":
        return reads(e.b) ? choose("i32", this.test(e.a), this.test(e.b), i32(0)) : op("i32.and", this.test(e.a), this.test(e.b));
      case "or":
        return reads(e.b) ? choose("i32", this.test(e.a), i32(1), this.test(e.b)) : op("i32.or", this.test(e.a), this.test(e.b));
      default:
        return refuse(`${e.k} as a test`);
    }
  }

  /** `x op value` for a number of the variable's type. */
  private combine(type: "i32" | "f64", current: WExpr, opName: "=" | "+=" | "-=" | "*=", value: Expr): WExpr {
    if (opName === "=") return type === "i32" ? this.int(value) : this.f64(value);
    const o = opName === "+=" ? "+" : opName === "-=" ? "-" : "*";
    return type === "i32" ? op(I32_BINARY[o], current, this.int(value)) : op(F64_BINARY[o], current, this.f64(value));
  }

  /**
   * An `if` that only sets variables to values computed without memory (a running maximum:
   * `if (at < 0 || t > best) { best = t; at = … }`) as selections, without a branch, which data
   * (a pooling window's maximum) cannot mispredict: the test once, into a local, then each
   * variable set to its new value or kept, in order (a later value may read an earlier one).
   */
  private selects(s: Stmt & { k: "if" }): WStmt[] | undefined {
    if (reads(s.test) || s.body.length === 0 || !s.body.every((b) => b.k === "assign" && b.op === "=" && !reads(b.value))) return undefined;
    const test = this.local(`test:${this.tests++}`, "i32");
    const out: WStmt[] = [set(test, this.test(s.test))];
    for (const b of s.body as (Stmt & { k: "assign" })[]) {
      const t = this.scope.type(b.name);
      if (t !== "i32" && t !== "f64") return refuse(`assignment of ${b.name}`);
      const current = this.variable(b.name, t);
      this.assigned.add(b.name);
      out.push(set(b.name, op("select", this.combine(t, current, "=", b.value), current, get(test))));
    }
    return out;
  }

  stmts(list: readonly Stmt[]): WStmt[] {
    return list.flatMap((s) => this.stmt(s));
  }

  stmt(s: Stmt): WStmt[] {
    switch (s.k) {
      case "decl": {
        const t = this.scope.type(s.name);
        if (t !== "i32" && t !== "f64") return refuse(`declaration of ${s.name}`);
        this.declared.add(s.name);
        return [set(this.local(s.name, t), this.combine(t, get(s.name), "=", s.value))];
      }
      case "assign": {
        const t = this.scope.type(s.name);
        if (t !== "i32" && t !== "f64") return refuse(`assignment of ${s.name}`);
        const current = this.variable(s.name, t);
        this.assigned.add(s.name);
        return [set(s.name, this.combine(t, current, s.op, s.value))];
      }
      case "store": {
        if (s.op === "=") return [this.store(s.array, s.index, this.f64(s.value))];
        const o = F64_BINARY[s.op === "+=" ? "+" : s.op === "-=" ? "-" : "*"];
        return [this.store(s.array, s.index, op(o, this.load(s.array, s.index), this.f64(s.value)))];
      }
      case "for": {
        if (!Number.isInteger(s.step) || s.step < 1) return refuse(`a loop's step ${s.step}`);
        if (s.from) this.declared.add(s.v);
        else this.assigned.add(s.v);
        if (this.scope.type(s.v) !== "i32") refuse(`loop variable ${s.v}`);
        const v = s.from ? this.local(s.v, "i32") : (this.variable(s.v, "i32"), s.v);
        const to = s.whole && s.step > 1 ? op("i32.sub", this.int(s.to), i32(s.step - 1)) : this.int(s.to);
        const from = s.from ? this.int(s.from) : get(s.v);
        const vector = s.from ? this.scope.vector?.(this, s) : undefined;
        return vector ?? [wfor(v as string, from, to, s.step, this.stmts(s.body))];
      }
      case "if":
        return this.selects(s) ?? [wif(this.test(s.test), this.stmts(s.body))];
      case "block":
        return [comment(s.comment.replace(/\s+/g, " ")), ...this.stmts(s.body)];
      case "call":
        return refuse(`call of ${s.fn}`);
      case "return":
        return refuse("return");
    }
  }
}
