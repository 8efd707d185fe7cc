// Values named like the kernels' own parameters, or like what an entry kernel calls a parameter
// it does not use (`_rng`), get buffers and locals of other names: no parameter hides a buffer.
// (Once a value `_rng` became a module-level buffer `_rng` that gradRows' unused parameter `_rng`
// hid: silently wrong training, and a module that did not type-check.)

import { describe, expect, it } from "vitest";
import { lowerSource } from "../../compiler/compile.js";
import { STRATEGIES, agreement } from "../helpers/agree.js";
import { typeErrorsOfEach } from "../helpers/typecheck.js";

const BASE = `model names
input inp[3]
target tgt[2]
h = dense(inp, 3, tanh)
out = dense(h, 2)
loss mse(out, tgt)
optimizer sgd(lr = 0.1)
`;

/** Every parameter name of every kernel function in every strategy, and each with `_` in front. */
function kernelParameterNames(): string[] {
  const names = new Set<string>();
  for (const [, options] of STRATEGIES) {
    for (const fn of lowerSource(BASE, "names.nn", options).program.functions) for (const [n] of fn.params) names.add(n.replace(/^_+/, ""));
  }
  return [...names].flatMap((n) => [n, `_${n}`]).sort();
}

/** A chain of small layers, one value for each name. */
function modelNaming(values: readonly string[]): string {
  const lines = ["model clash", "input inp[3]", "target tgt[2]"];
  let previous = "inp";
  for (const name of values) {
    lines.push(`${name} = dense(${previous}, 3, tanh)`);
    previous = name;
  }
  lines.push(`out = dense(${previous}, 2)`, "loss mse(out, tgt)", "optimizer sgd(lr = 0.1)");
  return `${lines.join("\n")}\n`;
}

describe("values named like kernel parameters", () => {
  const names = kernelParameterNames();

  it("cover the parameters the kernels have (rng unused in models without dropout)", () => {
    expect(names).toEqual(expect.arrayContaining(["_rng", "rng", "p", "_p", "n", "X", "outputs"]));
  });

  it.each(STRATEGIES)("compute what the interpreter does, lowered %s, and type-check", async (_name, options) => {
    const source = modelNaming(names);
    const { compiled, errors } = await agreement(source, "clash.nn", options);
    expect(errors.predict).toBeLessThan(1e-12);
    expect(errors.loss).toBeLessThan(1e-12);
    expect(errors.grad).toBeLessThan(1e-12);
    expect((await typeErrorsOfEach([compiled.code]))[0]).toEqual([]);
  });
});
