// lower/wasm/offload.ts on MNIST's batched kernels: every matrix product gets a WebAssembly twin,
// except those a fused training step reaches directly (not through an entry kernel, whose
// wrapper puts its arrays into the WebAssembly memory): those stay JavaScript.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lowerSource } from "../../compiler/compile.js";
import { callStmt, v } from "../../compiler/ir/code.js";
import { offloadProducts } from "../../compiler/lower/wasm/offload.js";
import { ROOT } from "../../scripts/examples.js";

const file = `${ROOT}dsl-examples/mnist.nn`;
const sizes = { params: 101770, input: 784, target: 10, output: 10 };

describe("offloadProducts", () => {
  const { program } = lowerSource(readFileSync(file, "utf8"), "mnist.nn", { batch: "always" });
  const products = program.functions.filter((fn) => fn.product).map((fn) => fn.name);

  it("gives every product of the entry kernels a WebAssembly twin and wraps the entries", () => {
    expect(products.length).toBeGreaterThanOrEqual(5);
    const out = offloadProducts(program, { precision: "f64", sizes });
    expect(out.wasm!.module.functions.map((f) => f.name)).toEqual(products);
    expect(out.wasm!.entries.map((e) => e.name)).toEqual(["predictRows", "lossRows", "gradRows"]);
    expect(out.functions.find((fn) => fn.name === "gradRows")).toBeUndefined();
  });

  it("keeps JavaScript for products a fused training step calls directly", () => {
    const direct = products.find((name) => name.startsWith("gradRows"))!;
    const args = program.functions.find((fn) => fn.name === direct)!.params.map(([n]) => v(n));
    const params = program.functions.find((fn) => fn.name === direct)!.params;
    const train = { name: "trainStepRows", params, returns: "void" as const, body: [callStmt(direct, args), callStmt("gradRows", [])], tokens: 0 };
    const fused = { ...program, functions: [...program.functions, train], kernels: { ...program.kernels, train: "trainStepRows" } };
    const out = offloadProducts(fused, { precision: "f64", sizes });
    const names = out.wasm!.module.functions.map((f) => f.name);
    expect(names).not.toContain(direct);
    expect(names).toEqual(products.filter((p) => p !== direct));
    expect(out.functions.find((fn) => fn.name === direct)!.wasm).toBeUndefined();
  });
});
