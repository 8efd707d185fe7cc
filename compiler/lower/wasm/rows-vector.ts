// The innermost row loops as WebAssembly SIMD (for rows-code.ts): a loop over contiguous
// elements whose iterations are independent (bias adds, relu and its gradient, the dropout
// multiply, im2col's and col2im's channel copies, zeroing, per-channel sums, and pooling's
// channel loop: its window's running maximum) runs `lanes` iterations at a time (f64x2, f32x4),
// then the last few one at a time (the scalar translation).
//
//   for (let i3 = 0; i3 < 32; i3++) c1[r + i3] = Math.max(Kx_c1[r + i3]! + p[288 + i3]!, 0);
//   ->  for (i3 = 0; i3 < 32; i3 += 4) v128.store(c1 + …, f32x4.max(f32x4.add(v128.load(…), v128.load(…)), splat 0))
//
// A loop qualifies when its bounds are literals and its body holds only stores, declarations
// and assignments of its own variables (a vector each: numbers in float lanes, integers in
// integer lanes of the same width, i32x4 or i64x2), loops whose bounds do not move with it, and
// ifs that only assign its variables (both sides computed, the lanes that pass taking the new
// value). Each load and store reaches `rest + i` (a vector along i), or one element for every i
// (loads: splat); a store whose index is one of its integer variables (pooling's gradient,
// `dc1[at] += …`) is done lane by lane, in order. An array it stores into is read only at the
// element stored (never, for lane-by-lane stores), and no store is inside a loop of the body, so
// the iterations are independent and each element sees JavaScript's operations in its order.
//
// The numbers are the scalar code's: f64x2 lanes do the scalar f64 operations. f32x4 lanes
// round each operation to float32 where JavaScript computes in doubles and rounds once at the
// store, which gives the same float32 only for a stored value of at most one rounding operation
// (+, −, ×, ÷, √; of float32 operands, then exact ones: max, min, abs, negation, selection) that
// no comparison reads, and variables holding no rounded value: f32 loops of more stay scalar.

import { type Expr, type Stmt, children, mapStmtExprs, mentions, num } from "../../ir/code.js";
import { type WExpr, type WOp, type WStmt, fconst, get, i32, iadd, imul, lane, op, set, vconst, wfor, wload, wstore } from "./code.js";
import { COMPARE_NAMES, type RowsTranslation, reads, splitConstant } from "./rows-code.js";

/** Inner loops of at most this many passes are unrolled. */
const UNROLL = 4;

/** The statements with the variable `name` replaced by the literal `value`. */
function substitute(stmts: readonly Stmt[], name: string, value: number): Stmt[] {
  return mapStmtExprs(stmts, (y) => (y.k === "var" && y.name === name ? num(value) : undefined));
}

class NotVector extends Error {}
const no = (): never => {
  throw new NotVector();
};

const same = (a: Expr, b: Expr) => JSON.stringify(a) === JSON.stringify(b);

/** The loop `s` as a vector loop and its scalar tail, or undefined when it does not qualify. */
export function vectorLoop(t: RowsTranslation, s: Stmt & { k: "for" }): WStmt[] | undefined {
  if (s.step !== 1 || s.from?.k !== "num" || s.to.k !== "num" || s.whole) return undefined;
  const lanes = 16 / t.bytes;
  const [from, to] = [s.from.value, s.to.value];
  const main = from + Math.floor((to - from) / lanes) * lanes;
  if (main === from) return undefined;
  try {
    const body = new VectorBody(t, s.v, lanes).loop(s.body);
    const v = t.local(s.v, "i32");
    const tail = main < to ? [wfor(v, i32(main), i32(to), 1, t.stmts(s.body))] : [];
    return [wfor(v, i32(from), i32(main), lanes, body), ...tail];
  } catch (error) {
    // Not a vector loop: the scalar one (whose translation throws Untranslatable where it must).
    if (error instanceof NotVector) return undefined;
    throw error;
  }
}

class VectorBody {
  private readonly f32: boolean;
  private readonly fl: "f32x4" | "f64x2";
  private readonly il: "i32x4" | "i64x2";
  /** The loop's own variables: float or integer lanes. */
  private readonly vars = new Map<string, "f" | "i">();
  /** Where the body stores: along the lanes at one index per array, or lane by lane. */
  private readonly stored = new Map<string, Expr | "scatter">();
  private temps = 0;
  constructor(
    private readonly t: RowsTranslation,
    private readonly v: string,
    private readonly lanes: number,
  ) {
    this.f32 = lanes === 4;
    this.fl = this.f32 ? "f32x4" : "f64x2";
    this.il = this.f32 ? "i32x4" : "i64x2";
  }

  /** Whether `e` moves with the loop (its variable, or one of the loop's own). */
  private varies(e: Expr): boolean {
    return mentions(e, this.v) || [...this.vars.keys()].some((n) => mentions(e, n));
  }

  /** How an index moves with the loop: not at all, one element per lane, or not along the lanes. */
  private stride(index: Expr): "splat" | "lanes" | "other" {
    if (!this.varies(index)) return "splat";
    const [rest] = splitConstant(index);
    const x = this.v;
    if (rest?.k === "var" && rest.name === x) return "lanes";
    if (rest?.k === "binary" && rest.op === "+" && rest.b.k === "var" && rest.b.name === x && !this.varies(rest.a)) return "lanes";
    return "other";
  }

  loop(body: readonly Stmt[]): WStmt[] {
    // Where the body stores, first (loads check against it). Not inside a loop of the body: lanes
    // i and i + 1 might reach one element at different passes of it (`c[k + i] += …`), in another
    // order than JavaScript's.
    const scan = (stmts: readonly Stmt[], inner: boolean) => {
      for (const s of stmts) {
        if (s.k === "decl") this.vars.set(s.name, this.t.type({ k: "var", name: s.name }) === "i32" ? "i" : "f");
        if (s.k === "store") {
          if (inner) no();
          const how = this.stride(s.index) === "lanes" ? s.index : this.stride(s.index) === "other" ? "scatter" : no();
          const known = this.stored.get(s.array);
          if (known !== undefined && (known === "scatter" || how === "scatter" || !same(known, how))) no();
          this.stored.set(s.array, how);
        }
        if (s.k === "for" || s.k === "block" || s.k === "if") scan(s.body, inner || s.k === "for");
      }
    };
    scan(body, false);
    this.vars.clear();
    return this.stmts(body, undefined);
  }

  private stmts(list: readonly Stmt[], mask: string | undefined): WStmt[] {
    return list.flatMap((s) => this.stmt(s, mask));
  }

  /** A variable's vector local (`best:v`: no JavaScript name has a colon, so none clashes with it). */
  private local(name: string): string {
    return this.t.local(`${name}:v`, "v128");
  }

  private stmt(s: Stmt, mask: string | undefined): WStmt[] {
    switch (s.k) {
      case "decl": {
        if (mask) return no();
        const kind = this.t.type({ k: "var", name: s.name }) === "i32" ? "i" : "f";
        // f32 lanes: a variable holds no rounded value (JavaScript holds it unrounded).
        const value = this.expr(s.value, kind, { roundings: this.f32 ? 0 : Infinity });
        this.vars.set(s.name, kind);
        return [set(this.local(s.name), value)];
      }
      case "assign": {
        const kind = this.vars.get(s.name);
        if (!kind || s.op !== "=" || reads(s.value)) return no();
        const value = this.expr(s.value, kind, { roundings: this.f32 ? 0 : Infinity });
        const local = this.local(s.name);
        return [set(local, mask ? op("v128.bitselect", value, get(local), get(mask)) : value)];
      }
      case "store":
        if (mask) return no();
        return this.store(s);
      case "for": {
        // A loop inside (a pooling window's rows and columns): scalar, the same for every lane.
        if (mask || !s.from || s.whole || s.step < 1 || this.varies(s.from) || this.varies(s.to)) return no();
        // A few passes (a 2 × 2 window): unrolled, the index at each a literal.
        if (s.from.k === "num" && s.to.k === "num" && (s.to.value - s.from.value) / s.step <= UNROLL) {
          const out: WStmt[] = [];
          for (let k = s.from.value; k < s.to.value; k += s.step) out.push(...this.stmts(substitute(s.body, s.v, k), undefined));
          return out;
        }
        this.t.declared.add(s.v);
        const v = this.t.local(s.v, "i32");
        return [wfor(v, this.t.int(s.from), this.t.int(s.to), s.step, this.stmts(s.body, undefined))];
      }
      case "if": {
        if (reads(s.test)) return no();
        const test = this.mask(s.test);
        const local = this.t.local(`mask:${this.temps++}`, "v128");
        return [set(local, mask ? op("v128.and", get(mask), test) : test), ...this.stmts(s.body, local)];
      }
      case "block":
        return this.stmts(s.body, mask);
      default:
        return no();
    }
  }

  /** A store along the lanes, or lane by lane where its index is one of the loop's integer variables. */
  private store(s: Stmt & { k: "store" }): WStmt[] {
    const roundings = { roundings: this.f32 ? (s.op === "=" ? 1 : 0) : Infinity };
    const value = this.expr(s.value, "f", roundings);
    const name = { "+=": "add", "-=": "sub", "*=": "mul", "=": "" }[s.op];
    if (this.stride(s.index) === "lanes") {
      const [addr, offset] = this.t.address(s.array, s.index, true);
      const combined = s.op === "=" ? value : op(`${this.fl}.${name}` as WOp, wload("v128.load", addr, offset), value);
      return [wstore("v128.store", addr, offset, combined)];
    }
    // Lane by lane, in order, as the scalar code would (with f32 lanes promoted, so that each
    // element's operation is the one JavaScript performs).
    const [rest, c] = splitConstant(s.index);
    const base = this.t.address(s.array, { k: "num", value: c }, true);
    const indices = this.t.local(`scatter:${this.temps}`, "v128");
    const values = this.t.local(`values:${this.temps++}`, "v128");
    const out: WStmt[] = [set(indices, rest ? this.expr(rest, "i", { roundings: Infinity }) : no()), set(values, value)];
    for (let l = 0; l < this.lanes; l++) {
      const index = this.f32 ? lane("i32x4.extract_lane", get(indices), l) : op("i32.wrap_i64", lane("i64x2.extract_lane", get(indices), l));
      const at = iadd(base[0], imul(index, this.t.bytes));
      const x = this.f32 ? op("f64.promote_f32", lane("f32x4.extract_lane", get(values), l)) : lane("f64x2.extract_lane", get(values), l);
      const load = this.f32 ? op("f64.promote_f32", wload("f32.load", at, base[1])) : wload("f64.load", at, base[1]);
      const result = s.op === "=" ? x : op(`f64.${name}` as WOp, load, x);
      out.push(this.f32 ? wstore("f32.store", at, base[1], op("f32.demote_f64", result)) : wstore("f64.store", at, base[1], result));
    }
    return out;
  }

  /** An i32 in every integer lane. */
  private splatInt(x: WExpr): WExpr {
    return this.f32 ? op("i32x4.splat", x) : op("i64x2.splat", op("i64.extend_i32_s", x));
  }

  /** Whether `e` loads from an array the loop stores into. */
  private readsStored(e: Expr): boolean {
    if (e.k === "load" && this.stored.has(e.array)) return true;
    return children(e).some((x) => this.readsStored(x));
  }

  /** A test as a lane mask (all ones where it holds). */
  private mask(e: Expr): WExpr {
    switch (e.k) {
      case "compare": {
        const ints = this.t.type(e.a) === "i32" && this.t.type(e.b) === "i32";
        const kind = ints ? "i" : "f";
        const lanes = ints ? this.il : this.fl;
        const name = `${lanes}.${COMPARE_NAMES[e.op]}${ints && e.op !== "===" ? "_s" : ""}` as WOp;
        // A comparison must read no rounded value (f32 lanes would round where JavaScript does not).
        return op(name, this.expr(e.a, kind, { roundings: 0 }), this.expr(e.b, kind, { roundings: 0 }));
      }
      case "and":
      case "or":
        // Every lane computes both sides, where JavaScript skips the right one when the left
        // decides: a right side that reads memory (`i - 1 >= 0 && a[i - 1] > 0`) could read out of bounds.
        if (reads(e.b)) return no();
        return op(e.k === "and" ? "v128.and" : "v128.or", this.mask(e.a), this.mask(e.b));
      default:
        return no();
    }
  }

  /** `e` as a vector of float lanes ("f") or integer lanes ("i"); `budget.roundings`: the rounding operations f32 lanes may still do. */
  private expr(e: Expr, kind: "f" | "i", budget: { roundings: number }): WExpr {
    const type = this.t.type(e);
    if (kind === "i" && type !== "i32") return no();
    if (kind === "f" && type === "i32" && e.k !== "cond") {
      // An integer as a number: only a literal (f32 lanes hold it exactly when float32 does), or a
      // selection of such (relu's gradient: `z > 0 ? 1 : 0`).
      if (e.k !== "num" || (this.f32 && Math.fround(e.value) !== e.value)) return no();
      return op(`${this.fl}.splat`, fconst(this.f32 ? "f32" : "f64", e.value));
    }
    if (type !== "i32" && type !== "f64") return no();
    if (!this.varies(e) && e.k !== "load" && !(kind === "f" && type === "i32")) {
      // The same for every lane: computed once as a scalar (reading nothing the loop stores), then
      // splat; f32 lanes take only literals float32 holds exactly.
      if (this.readsStored(e)) return no();
      if (kind === "i") return this.splatInt(this.t.int(e));
      if (!this.f32) return op("f64x2.splat", this.t.f64(e));
      const x = e.k === "num" ? e.value : e.k === "neg" && e.a.k === "num" ? -e.a.value : NaN;
      if (Number.isNaN(x) || Math.fround(x) !== x) return no();
      return op("f32x4.splat", fconst("f32", x));
    }
    const rounding = () => {
      if (--budget.roundings < 0) no();
    };
    const [fl, il] = [this.fl, this.il];
    switch (e.k) {
      case "var": {
        // The loop's variable: its value in each lane, i, i + 1, …
        if (e.name === this.v) return kind === "i" ? op(`${il}.add`, this.splatInt(get(this.v)), vconst(il, [0, 1, 2, 3].slice(0, this.lanes))) : no();
        if (this.vars.get(e.name) !== kind) return no();
        return get(this.local(e.name));
      }
      case "load": {
        const how = this.stride(e.index);
        const stored = this.stored.get(e.array);
        if (how === "other" || (stored !== undefined && (stored === "scatter" || !same(stored, e.index)))) return no();
        const [addr, offset] = this.t.address(e.array, e.index, false);
        return wload(how === "lanes" ? "v128.load" : this.f32 ? "v128.load32_splat" : "v128.load64_splat", addr, offset);
      }
      case "binary":
      case "sum": {
        const [terms, name] = e.k === "sum" ? [e.terms, "add"] : [[e.a, e.b], { "+": "add", "-": "sub", "*": "mul", "/": "div" }[e.op]];
        if (kind === "i" && name === "div") return no();
        const parts = terms.map((x) => this.expr(x, kind, budget));
        return parts.reduce((a, b) => {
          if (kind === "f") rounding();
          return op(`${kind === "f" ? fl : il}.${name}` as WOp, a, b);
        });
      }
      case "neg":
        return kind === "f" ? op(`${fl}.neg`, this.expr(e.a, kind, budget)) : no();
      case "call": {
        if (kind !== "f") return no();
        const args = e.args.map((x) => this.expr(x, "f", budget));
        if ((e.fn === "Math.max" || e.fn === "Math.min") && args.length > 0) return args.reduce((a, b) => op(`${fl}.${e.fn === "Math.max" ? "max" : "min"}`, a, b));
        if (e.fn === "Math.abs" && args.length === 1) return op(`${fl}.abs`, args[0]!);
        if (e.fn === "Math.sqrt" && args.length === 1) {
          rounding();
          return op(`${fl}.sqrt`, args[0]!);
        }
        return no();
      }
      case "cond":
        // Both branches are computed: they may not read memory (a skipped one might reach outside it).
        if (reads(e.then) || reads(e.else)) return no();
        return op("v128.bitselect", this.expr(e.then, kind, budget), this.expr(e.else, kind, budget), this.mask(e.test));
      default:
        return no();
    }
  }
}
