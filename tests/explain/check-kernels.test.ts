// `nnc check --kernels wasm`: the gradient check runs on the code `--kernels` makes, so with wasm
// it checks grad() through the WebAssembly SIMD products. Its verdicts agree with the JavaScript
// kernels' (same points, same elements compared, errors alike: the products differ only in the
// order they sum), a wrong derivative rule fails it all the same, and the report says which
// products ran.

import { afterEach, describe, expect, it, vi } from "vitest";
import { checkGradients, checkText } from "../../compiler/explain/gradient-check.js";
import { main } from "../../compiler/cli/main.js";
import { opDef } from "../../compiler/ops/registry.js";
import { model } from "./helpers.js";

const restore: (() => void)[] = [];
afterEach(() => {
  while (restore.length > 0) restore.pop()!();
  vi.restoreAllMocks();
});

describe("nnc check --kernels", () => {
  it.each(["iris", "cnn", "classifier"])("checks %s with WebAssembly products and agrees with the JavaScript ones", async (name) => {
    const m = model(name);
    const js = await checkGradients(m.source, m.file, { points: 2, seed: 3, batch: "always" });
    const wasm = await checkGradients(m.source, m.file, { points: 2, seed: 3, kernels: "wasm" });
    expect(js.products).toBe("js");
    expect(wasm.products).toBe("wasm");
    expect(wasm.strategy).toBe("batched");
    expect(wasm.pass, checkText(m.file, wasm)).toBe(true);
    expect(wasm.params.map((p) => [p.name, p.compared, p.kinks])).toEqual(js.params.map((p) => [p.name, p.compared, p.kinks]));
    // Both near rounding (TOLERANCE is 1e-5); a wrong product would be off by far more.
    wasm.params.forEach((p, i) => expect(Math.abs(p.maxError - js.params[i]!.maxError), p.name).toBeLessThan(1e-7));
  });

  it("fails with WebAssembly products as with JavaScript ones when a derivative rule is wrong", async () => {
    const def = opDef("sigmoid");
    const original = def.vjp;
    def.vjp = (g, node, graph) => [graph.mul(g, node)]; // σ' taken as σ instead of σ(1 − σ)
    restore.push(() => (def.vjp = original));
    const m = model("parity");
    const r = await checkGradients(m.source, m.file, { points: 1, kernels: "wasm" });
    expect(r.products).toBe("wasm");
    expect(r.pass).toBe(false);
  });

  it("takes --kernels on the command line and says where the products ran", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    expect(await main(["check", model("iris").file, "--points", "1", "--kernels", "wasm"])).toBe(0);
    expect(await main(["check", model("iris").file, "--points", "1", "--kernels", "js", "--batch", "always"])).toBe(0);
    const text = out.mock.calls.map((c) => String(c[0])).join("");
    expect(text).toMatch(/, batched kernels, matrix products in WebAssembly SIMD\n[\s\S]*PASS[\s\S]*, batched kernels\n[\s\S]*PASS/);
  });

  it("refuses a value it does not know", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await main(["check", model("iris").file, "--kernels", "gpu"])).toBe(2);
    expect(String(err.mock.calls[0]![0])).toBe("nnc: error: --kernels must be one of js, wasm, auto, got 'gpu'. See 'nnc help check'.\n");
  });
});
