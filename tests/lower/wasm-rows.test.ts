// The row loops' translation into WebAssembly (lower/wasm/rows-runs.ts, rows-code.ts,
// rows-vector.ts), statement by statement: small kernels over three buffers, moved into
// WebAssembly by moveRuns, run there and as the JavaScript printed from the same statements, on
// values chosen to tell operations apart (NaN, ±0, ±Infinity, subnormals, float32's largest, a
// third): the same values (NaN for NaN, −0 for −0), f64 and f32, through the vector loops (checked to be vector code where
// they should be, scalar where f32 lanes would round differently) and their scalar tails. And
// what stays JavaScript: calls (Math.exp, rng.uniform()), returns, arrays outside the memory,
// stores into read-only kernel arrays, declarations JavaScript reads after the run, assignments
// of more than one variable declared before it (one is a reduction: the helper returns it), and
// runs below MIN_WORK.

import { describe, expect, it } from "vitest";
import {
  type Expr,
  type Stmt,
  and,
  assign,
  binary,
  call,
  callStmt,
  compare,
  cond,
  decl,
  load,
  loop,
  neg,
  num,
  or,
  ret,
  store,
  v,
  when,
} from "../../compiler/ir/code.js";
import type { Fn } from "../../compiler/lower/program.js";
import type { WFunc } from "../../compiler/lower/wasm/code.js";
import { RowsTranslation, Untranslatable } from "../../compiler/lower/wasm/rows-code.js";
import { MIN_WORK, moveRuns, typeEnv } from "../../compiler/lower/wasm/rows-runs.js";
import { encodeModule } from "../../compiler/print/wasm/encode.js";
import { functionWat } from "../../compiler/print/wasm/wat.js";
import { printStatements } from "../../compiler/print/typescript.js";

const N = 67; // not a multiple of the lanes: the vector loops have scalar tails (and at least MIN_WORK)
const SIZE = 256;
const BUFFERS = ["a", "b", "c", "d"];
const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1.4e-40, 3.4028234663852886e38, 1 / 3, -2.5, 1e300, -7, 0.1, 5e-324, 1, -1];

const add = (a: Expr, b: Expr) => binary("+", a, b);
const mul = (a: Expr, b: Expr) => binary("*", a, b);
const at = (array: string, i: Expr) => load(array, i);

/** A kernel function of `body` with the row count as its one parameter. */
const kernel = (body: Stmt[], params: Fn["params"] = [["n", "number"]]): Fn => ({ name: "kernelInMemory", params, returns: "void", body, tokens: 0 });

/** `body` moved into WebAssembly: the one helper's WebAssembly function. */
function moved(body: Stmt[], precision: "f64" | "f32"): WFunc {
  const bytes = precision === "f64" ? 8 : 4;
  const buffers = new Map(BUFFERS.map((name, k) => [name, k * SIZE * bytes]));
  let k = 0;
  const { moved: runs } = moveRuns(kernel(body), { buffers, precision }, () => `kernel_loop${++k}`);
  expect(runs.length).toBe(1);
  return runs[0]!.wasm;
}

/** `body` run as WebAssembly and as JavaScript on the same values: the buffers' values after each. */
function bothWays(body: Stmt[], precision: "f64" | "f32"): { wasm: number[][]; js: number[][]; wat: string } {
  const fn = moved(body, precision);
  const Vec = precision === "f64" ? Float64Array : Float32Array;
  const fill = (views: (Float64Array | Float32Array)[]) => views.forEach((view, k) => view.forEach((_, i) => (view[i] = SPECIAL[(i * 7 + k * 3) % SPECIAL.length]!)));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const inWasm = BUFFERS.map((_, k) => new Vec(memory.buffer, k * SIZE * Vec.BYTES_PER_ELEMENT, SIZE));
  fill(inWasm);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(encodeModule({ pages: 1, functions: [fn] })), { env: { memory } });
  (instance.exports[fn.name] as (n: number) => void)(N);
  const inJs = BUFFERS.map(() => new Vec(SIZE));
  fill(inJs);
  new Function(...BUFFERS, "n", printStatements(body, "", false).join("\n"))(...inJs, N);
  // The same values, compared as Object.is does: -0 is not 0, and every NaN is NaN (which NaN an
  // operation returns differs between hosts: x86's is negative, JavaScript's positive).
  const values = (view: Float64Array | Float32Array) => Array.from(view);
  return { wasm: inWasm.map(values), js: inJs.map(values), wat: functionWat(fn) };
}

const i = v("i");
const CASES: { name: string; body: Stmt[]; vector: { f64: boolean; f32: boolean } }[] = [
  { name: "relu of a sum", body: [loop("i", 0, N, [store("c", i, "=", call("Math.max", add(at("a", i), at("b", i)), num(0)))])], vector: { f64: true, f32: true } },
  { name: "relu's gradient", body: [loop("i", 0, N, [store("c", i, "=", mul(at("a", i), cond(compare(">", at("b", i), num(0)), num(1), num(0))))])], vector: { f64: true, f32: true } },
  { name: "a sum into", body: [loop("i", 0, N, [store("c", add(num(3), i), "+=", at("a", add(i, num(1))))])], vector: { f64: true, f32: true } },
  { name: "two roundings (f32 lanes would round the product)", body: [loop("i", 0, N, [store("c", i, "=", add(mul(at("a", i), at("b", i)), at("a", i)))])], vector: { f64: true, f32: false } },
  { name: "a splat load, min, abs, negation, division, sqrt", body: [loop("i", 0, N, [store("d", i, "=", call("Math.min", neg(call("Math.abs", at("a", i))), binary("/", at("b", num(5)), call("Math.sqrt", at("a", i)))))])], vector: { f64: true, f32: false } },
  {
    name: "a padded window (a load only where JavaScript reads it)",
    body: [loop("i", 0, N, [store("c", i, "=", cond(and(compare(">=", binary("-", i, num(1)), num(0)), compare("<", i, num(60))), at("a", binary("-", i, num(1))), num(0)))])],
    vector: { f64: false, f32: false },
  },
  {
    // Lanes compute both sides of &&, JavaScript skips a[-1]: a at byte 0 would trap if read.
    name: "a read guarded by && in a selection's test (scalar: lane i = 0 would read a[-1])",
    body: [loop("i", 0, N, [store("c", i, "=", cond(and(compare(">=", binary("-", i, num(1)), num(0)), compare(">", at("a", binary("-", i, num(1))), num(0))), num(1), num(0)))])],
    vector: { f64: false, f32: false },
  },
  {
    // Lanes i and i + 1 reach the same element at k and k − 1: in another order than JavaScript's.
    name: "overlapping stores from an inner loop (scalar: the lanes would add in another order)",
    body: [loop("i", 0, N, [loop("k", 0, 3, [store("c", add(v("k"), i), "+=", mul(at("a", i), at("b", add(v("k"), i))))])])],
    vector: { f64: false, f32: false },
  },
  {
    name: "pooling's running maximum and its gradient (lane by lane)",
    body: [
      loop("i", 0, N, [
        decl("let", "best", neg(num(Infinity))),
        decl("let", "at", num(-1)),
        loop("k", 0, 3, [
          decl("const", "t", at("a", add(mul(v("k"), num(80)), i))),
          ...when(or(compare("<", v("at"), num(0)), compare(">", v("t"), v("best"))), [assign("best", "=", v("t")), assign("at", "=", add(mul(v("k"), num(80)), i))]),
        ]),
        store("c", i, "=", v("best")),
        store("d", v("at"), "+=", at("b", i)),
      ]),
    ],
    vector: { f64: true, f32: true },
  },
];

describe("the row loops in WebAssembly compute what JavaScript does, bit for bit", () => {
  for (const precision of ["f64", "f32"] as const) {
    it.each(CASES)(`$name (${precision})`, ({ body, vector }) => {
      const { wasm, js, wat } = bothWays(body, precision);
      expect(wasm).toEqual(js);
      expect(wat.includes("v128.store") || wat.includes("v128.load"), "vector code").toBe(vector[precision]);
    });
  }
});

describe("what stays JavaScript", () => {
  const bytes = 8;
  const buffers = new Map(BUFFERS.map((name, k) => [name, k * SIZE * bytes]));
  const refused = (s: Stmt, fn = kernel([s])) => {
    const t = new RowsTranslation({
      precision: "f64",
      type: typeEnv(fn),
      array: (name) => {
        if (!buffers.has(name)) throw new Untranslatable(`array ${name}`);
        return { k: "const", type: "i32", value: buffers.get(name)! };
      },
    });
    return () => t.stmts([s]);
  };
  const big = (s: Stmt[]) => loop("i", 0, 100, s);

  it("refuses calls, returns and arrays outside the memory, naming them", () => {
    expect(refused(big([store("c", i, "=", call("Math.exp", at("a", i)))]))).toThrow(/Math.exp/);
    expect(refused(big([store("c", i, "=", call("rng.uniform"))]))).toThrow(/rng.uniform/);
    expect(refused(callStmt("gradRows_1", [v("n")]))).toThrow(Untranslatable);
    expect(refused(ret(num(0)))).toThrow(/return/);
    expect(refused(big([store("state", i, "=", num(0))]))).toThrow(/array state/);
    expect(refused(big([store("c", binary("/", i, num(2)), "=", num(0))]))).toThrow(/not an integer/);
    // And translates what it knows (the same refusal helper, a statement it expresses).
    expect(refused(big([store("c", i, "=", at("a", i))]))()).toHaveLength(1);
  });

  it("keeps in JavaScript what the kernel's JavaScript needs, and runs too small to pay", () => {
    const exp = big([store("d", i, "=", call("Math.exp", at("a", i)))]);
    const zero = big([store("c", i, "=", num(0))]);
    const fn = kernel(
      [
        zero,
        decl("const", "m", at("a", num(0))),
        exp,
        big([store("b", i, "=", mul(at("a", i), v("m")))]),
        loop("i", 0, MIN_WORK - 1, [store("c", i, "=", num(1))]),
        decl("let", "total", num(0)),
        big([assign("total", "+=", at("a", i))]),
        ret(v("total")),
      ],
      [
        ["n", "number"],
        ["X", "Vec"],
      ],
    );
    let k = 0;
    const { body, moved: runs } = moveRuns(fn, { buffers, precision: "f64" }, () => `kernel_loop${++k}`);
    // The zeroing moves; m (read by the product after exp) stays, and so does exp; the product
    // moves with m as its parameter (and the small loop after it, together enough work); total,
    // read by the return, stays declared in JavaScript, and the loop summing into it moves as a
    // reduction: `total = kernel_loop3(total)`.
    expect(runs.map((r) => r.fn.params.map(([n]) => n))).toEqual([[], ["m"], ["total"]]);
    expect(body.map((s) => s.k)).toEqual(["call", "decl", "for", "call", "decl", "assign", "return"]);
    expect(body[2]).toEqual(exp);
    expect(runs[1]!.fn.body).toHaveLength(2);
    expect(runs[2]!.fn.returns).toBe("number");
    expect(runs[2]!.wasm.result?.type).toBe("f64");
    // A run assigning two variables declared before it keeps the second's statements in JavaScript.
    const two = kernel([decl("let", "s", num(0)), decl("let", "q", num(0)), big([assign("s", "+=", at("a", i))]), big([assign("q", "+=", at("b", i))]), ret(binary("+", v("s"), v("q")))]);
    const kept = moveRuns(two, { buffers, precision: "f64" }, () => "two");
    expect(kept.moved.map((r) => r.fn.params.map(([n]) => n))).toEqual([["s"]]);
    expect(kept.body.map((s) => s.k)).toEqual(["decl", "decl", "assign", "for", "return"]);
    // Alone, a run of fewer than MIN_WORK element operations stays; of MIN_WORK, moves.
    const small = (count: number) => moveRuns(kernel([loop("i", 0, count, [store("c", i, "=", num(1))])]), { buffers, precision: "f64" }, () => "s").moved.length;
    expect([small(MIN_WORK - 1), small(MIN_WORK)]).toEqual([0, 1]);
    // A store into X, read-only: stays.
    const intoX = kernel([big([store("X", i, "=", num(0))])], [["X", "Vec"]]);
    expect(moveRuns(intoX, { buffers, precision: "f64" }, () => "x").moved).toEqual([]);
  });
});

describe("a reduction (a sum into a variable declared before the run)", () => {
  for (const precision of ["f64", "f32"] as const) {
    it(`returns what the JavaScript sums, and stores what it stores (${precision})`, () => {
      const body = [
        decl("let", "s", num(0.5)),
        loop("i", 0, N, [assign("s", "+=", mul(at("a", i), at("b", i))), store("c", i, "=", v("s"))]),
        store("d", num(1), "=", v("s")),
        ret(v("s")),
      ];
      const bytes = precision === "f64" ? 8 : 4;
      const buffers = new Map(BUFFERS.map((name, k) => [name, k * SIZE * bytes]));
      const { body: kept, moved: runs } = moveRuns(kernel(body), { buffers, precision }, () => "sum");
      expect(kept.map((x) => x.k)).toEqual(["decl", "assign", "return"]);
      const fn = runs[0]!.wasm;
      expect(fn.params).toEqual([["s", "f64"]]);
      const Vec = precision === "f64" ? Float64Array : Float32Array;
      const fill = (views: (Float64Array | Float32Array)[]) => views.forEach((view, k) => view.forEach((_, j) => (view[j] = ((j * 7 + k * 3) % 13) / 3 - 2)));
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
      const inWasm = BUFFERS.map((_, k) => new Vec(memory.buffer, k * SIZE * bytes, SIZE));
      fill(inWasm);
      const instance = new WebAssembly.Instance(new WebAssembly.Module(encodeModule({ pages: 1, functions: [fn] })), { env: { memory } });
      const sum = (instance.exports[fn.name] as (s: number) => number)(0.5);
      const inJs = BUFFERS.map(() => new Vec(SIZE));
      fill(inJs);
      const expected = new Function(...BUFFERS, "n", printStatements(body, "", false).join("\n"))(...inJs, N) as number;
      expect(sum).toBe(expected);
      expect(inWasm.map((x) => Array.from(x))).toEqual(inJs.map((x) => Array.from(x)));
      expect(functionWat(fn)).toContain("(result f64)");
    });
  }
});
