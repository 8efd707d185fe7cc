// lower/wasm/offload.ts on MNIST's batched kernels: every matrix product given as data gets a
// WebAssembly twin, the entry kernels (the fused training step among them) get wrappers that
// put their arrays into the WebAssembly memory, and the training step's weight-gradient products,
// which apply the update as each sum is finished, get twins that apply it too (the optimizer's
// state arrays staged by the step's wrapper); the generic step's tail (applyGradient) gets
// twins of its two passes over the parameters and a wrapper that stages p, g and the state.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lowerSource } from "../../compiler/compile.js";
import { type Expr, type Stmt, binary, call, decl, store, v } from "../../compiler/ir/code.js";
import { SINK_INDEX, SINK_SUM } from "../../compiler/lower/program.js";
import { get, i32 } from "../../compiler/lower/wasm/code.js";
import { Locals } from "../../compiler/lower/wasm/gemm.js";
import { offloadProducts } from "../../compiler/lower/wasm/offload.js";
import { UnsupportedUpdate, updateCode } from "../../compiler/lower/wasm/update.js";
import { ROOT } from "../../scripts/examples.js";

const file = `${ROOT}dsl-examples/mnist.nn`;
const sizes = { params: 101770, input: 784, target: 10, output: 10 };

describe("offloadProducts", () => {
  const { program } = lowerSource(readFileSync(file, "utf8"), "mnist.nn", { batch: "always" });
  const products = program.functions.filter((fn) => fn.product || fn.update || fn.sweep).map((fn) => fn.name);
  const out = offloadProducts(program, { precision: "f64", sizes });

  it("gives every product as data a WebAssembly twin and wraps the entry kernels", () => {
    expect(products.length).toBeGreaterThanOrEqual(5);
    // The products (and the tail's passes) first, then the row loops (rows.ts: helpers named KERNEL_loopK).
    expect(out.wasm!.module.functions.map((f) => f.name).filter((n) => !/_loop\d+$/.test(n))).toEqual(products);
    expect(out.wasm!.entries.map((e) => e.name)).toEqual(["predictRows", "lossRows", "gradRows", "trainStep", "applyGradient"]);
    for (const name of ["predictRows", "gradRows", "trainStep", "applyGradient"]) expect(out.functions.find((fn) => fn.name === name)).toBeUndefined();
    expect(out.kernels.train).toBe("trainStep");
  });

  it("wraps the fused training step: its parameters and Adam's state go into the memory and back", () => {
    const step = out.wasm!.entries.find((e) => e.name === "trainStep")!;
    // outputs too: its row loops in WebAssembly write them (rows.ts).
    expect([...step.staged].sort()).toEqual(["X", "outputs", "p", "state"]);
    expect(step.writes).toEqual(["p"]);
    for (const e of out.wasm!.entries.filter((e) => e.name !== "trainStep" && e.name !== "applyGradient")) expect(e.writes).toEqual([]);
    const state = out.wasm!.stages.find((s) => s.param === "state")!;
    expect(state).toMatchObject({ arrays: 2, length: sizes.params, copyIn: true, copyOut: true });
  });

  it("wraps the generic step's tail: p, the gradient and Adam's state in the memory, p back; its passes as twins", () => {
    const tail = out.wasm!.entries.find((e) => e.name === "applyGradient")!;
    expect([...tail.staged].sort()).toEqual(["g", "p", "state"]);
    expect(tail.writes).toEqual(["p"]);
    const passes = out.functions.filter((fn) => fn.sweep !== undefined);
    expect(passes.map((fn) => fn.sweep!.kind)).toEqual(["squares", "update"]);
    const [squares, update] = passes.map((fn) => out.wasm!.module.functions.find((f) => f.name === fn.wasm)!);
    expect(squares!.result?.type).toBe("f64");
    expect(update!.params.filter(([, t]) => t === "f64").map(([n]) => n)).toEqual(["scale", "alpha"]);
    for (const o of ["f64x2.div", "f64x2.sqrt", "v128.store"]) expect(JSON.stringify(update!.body)).toContain(o);
  });

  it("gives the products that apply the update (W_h's and W_out's gradients) twins with the rate and scale as f64 parameters", () => {
    const updating = out.functions.filter((fn) => fn.update !== undefined);
    expect(updating.map((fn) => fn.wasm)).toEqual(updating.map((fn) => fn.name));
    expect(updating.length).toBe(2);
    for (const fn of updating) {
      const twin = out.wasm!.module.functions.find((f) => f.name === fn.name)!;
      expect(twin.params.filter(([, t]) => t === "f64").map(([n]) => n)).toEqual(["scale", "alpha"]);
      // Adam's division and square root, on vectors.
      const text = JSON.stringify(twin.body);
      for (const o of ["f64x2.div", "f64x2.sqrt", "v128.store"]) expect(text).toContain(o);
    }
  });
});

describe("the fused step's update as WebAssembly (update.ts)", () => {
  const { program } = lowerSource(readFileSync(file, "utf8"), "mnist.nn", { batch: "always" });

  it("leaves a product whose update it cannot translate in JavaScript, and translates the others", () => {
    const fused = program.functions.filter((fn) => fn.update !== undefined);
    expect(fused.length).toBe(2);
    // An update calling Math.exp (no optimizer does): that product keeps its JavaScript body.
    const odd = fused[0]!;
    const exp = (e: Expr): Expr => call("Math.exp", e);
    const statements = odd.update!.statements.map((s) => (s.k === "decl" ? { ...s, value: exp(s.value) } : s));
    const patched = { ...program, functions: program.functions.map((fn) => (fn === odd ? { ...fn, update: { ...fn.update!, statements } } : fn)) };
    const out = offloadProducts(patched, { precision: "f64", sizes });
    expect(out.functions.find((fn) => fn.name === odd.name)!.wasm).toBeUndefined();
    expect(out.wasm!.module.functions.map((f) => f.name)).not.toContain(odd.name);
    expect(out.functions.find((fn) => fn.name === fused[1]!.name)!.wasm).toBe(fused[1]!.name);
  });

  it("refuses statements it does not know, naming them", () => {
    const L = new Locals();
    const bad: Stmt[] = [decl("const", "g", call("Math.exp", v(SINK_SUM)))];
    expect(() => updateCode(bad, "f64", new Set(["p"]), new Set(), L)).toThrow(UnsupportedUpdate);
    const wrongIndex: Stmt[] = [store("p", v("other"), "-=", v(SINK_SUM))];
    expect(() => updateCode(wrongIndex, "f32", new Set(["p"]), new Set(), L)).toThrow(/index into p/);
    const ok: Stmt[] = [store("p", v(SINK_INDEX), "-=", binary("*", v("lr"), v(SINK_SUM)))];
    const code = updateCode(ok, "f32", new Set(["p"]), new Set(["lr"]), new Locals());
    // The rate is demoted to f32 and splat once, at the start.
    expect(JSON.stringify(code.prologue)).toContain("f32.demote_f64");
    expect(JSON.stringify(code.element(true, i32(0), 16, get("acc")))).toContain("f32x4.sub");
  });
});
