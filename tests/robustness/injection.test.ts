// No code injection: whatever a model file says (its file name, comments, names that are
// TypeScript reserved words or Object.prototype members, names of the generated code's own
// identifiers, extreme numbers), the output is the model and nothing else. Each module here
// must type-check under strict, contain no eval / Function / import / require / process
// outside comments (checked with the TypeScript scanner, not a regex), export exactly the
// API, and compute what the model says.

import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { evaluate as interpret } from "../../compiler/interpret.js";
import { giveName } from "../../compiler/ir/names.js";
import { newGraph } from "../../compiler/ops/registry.js";
import { Namer } from "../../compiler/lower/namer.js";
import { planStorage } from "../../compiler/lower/plan.js";
import { relError } from "../helpers/fd.js";
import { importCode, typeErrors } from "../helpers/generated.js";

const HOSTILE = "*/ process.exit(1) /* \u2028 \u2029 ${process.exit(2)} `x` </script> \u0000 */";

/** Identifiers and keywords of `code` outside comments and string literals. */
async function codeWords(code: string): Promise<Set<string>> {
  const { ts } = await import("ts-morph");
  // The parser's tokens, not a bare scanner's: a scanner alone cannot tell where a template
  // literal's `${…}` ends, so its view of the code depends on how backticks happen to pair up.
  const file = ts.createSourceFile("m.ts", code, ts.ScriptTarget.ES2022, true);
  const words = new Set<string>();
  const visit = (node: import("ts-morph").ts.Node): void => {
    const k = node.kind;
    if (k === ts.SyntaxKind.Identifier || (k >= ts.SyntaxKind.FirstKeyword && k <= ts.SyntaxKind.LastKeyword)) words.add(node.getText(file));
    node.getChildren(file).forEach(visit);
  };
  visit(file);
  return words;
}

const API = ["createOptimizer", "createTrainer", "evaluate", "fit", "grad", "init", "loadParams", "loss", "model", "predict", "predictBatch", "saveParams"];

async function checkClean(code: string): Promise<void> {
  const words = await codeWords(code);
  for (const bad of ["eval", "Function", "require", "process", "import", "exit"]) expect(words.has(bad), `'${bad}' in the code`).toBe(false);
  expect(code).not.toContain("\u2028");
  expect(code).not.toContain("\u2029");
  expect(code).not.toContain("\u0000");
  expect(await typeErrors(code)).toEqual([]);
}

describe("no code injection", () => {
  it("a hostile file name, hostile comments and reserved words as names give exactly the model", async () => {
    // Statement keywords cannot be names, but TypeScript's reserved words and Object.prototype members can.
    const source = [
      `# ${HOSTILE}`,
      `model constructor   # ${HOSTILE}`,
      `input __proto__[2]  # ${HOSTILE}`,
      `target class[1]`,
      `param delete[1, 2] ~ glorot_uniform`,
      `param new[1] ~ constant(value = 0.5) # */ throw 1 /*`,
      `function = delete @ __proto__ + new   # ${HOSTILE}`,
      `prototype = function * 1`,
      `hasOwnProperty = prototype - class`,
      `loss = mean(hasOwnProperty ^ 2)`,
      `output function`,
      `optimizer sgd(lr = 0.1)   # ${HOSTILE}`,
    ].join("\n");
    const file = `${HOSTILE.replace(/[\u0000/]/g, "_")}.nn`;
    const { code, derived } = await compile(source, file);
    await checkClean(code);

    const mod = await importCode(code);
    expect(Object.keys(mod).sort()).toEqual(API);
    expect(mod.model.name).toBe("constructor");
    expect(mod.model.params.map((p) => p.name)).toEqual(["delete", "new"]);
    const params = Float64Array.of(2, -3, 0.5);
    const x = [1.5, 4];
    const out = 2 * 1.5 - 3 * 4 + 0.5;
    expect(Array.from(mod.predict(params, x))).toEqual([out]);
    expect(mod.loss(params, x, [1])).toBeCloseTo((out - 1) ** 2, 12);
    expect(derived.grads.size).toBe(2);
  });

  it("names of the generated code's own identifiers, and names that collide after renaming", async () => {
    // Locals are NAME_index; these names are the generated code's parameters, helpers and
    // API, and pairs like h / h2 / t5 that the stem de-duplication could map onto each other.
    const names = ["p", "xo", "g", "rng", "core", "init", "fit", "Math", "VecArray", "predictSample", "gradScratch", "PARAMS", "i", "j", "t1", "t2", "t5", "t52", "h", "h2", "h22", "Infinity", "NaN", "undefined"];
    const lines = ["model Math", "input x[3]", "target y[2]", "param W[4, 3] ~ glorot_uniform", "param b[4] ~ zeros"];
    let prev = "W @ x + b";
    for (const n of names) {
      lines.push(`${n} = dropout(tanh(${prev}), 0.25) * 1.5`);
      prev = n;
    }
    lines.push(`out = dense(${prev}, 2, softmax)`, "loss categorical_crossentropy(out, y)");
    const source = lines.join("\n");
    const { code, model, derived } = await compile(source, "names.nn");
    await checkClean(code);
    const mod = await importCode(code);
    const params = mod.init(5);
    const x = [0.3, -1.2, 2];
    const y = [0, 1];
    const values = new Map<string, Float64Array>([
      [model.input.name, Float64Array.from(x)],
      [model.target.name, Float64Array.from(y)],
    ]);
    for (const p of mod.model.params) values.set(p.name, params.subarray(p.offset, p.offset + p.size));
    const ref = interpret([derived.predict, derived.inferLoss], { values });
    const out = mod.predict(params, x);
    ref.get(derived.predict.id)!.forEach((v, i) => expect(relError(out[i]!, v)).toBeLessThan(1e-12));
    expect(relError(mod.loss(params, x, y), ref.get(derived.inferLoss.id)![0]!)).toBeLessThan(1e-12);
  });

  it("local names stay unique when a value is named like a de-duplicated one (h, h again, then h2)", () => {
    const g = newGraph();
    const names = new Map<number, string>();
    const x = g.input("x", [2], "input");
    const a = giveName(names, g.unary("tanh", x), "h");
    const b = giveName(names, g.unary("sigmoid", a), "h"); // a second `h` (as training and inference copies are)
    const c = giveName(names, g.unary("exp", b), "h2"); // the user's own h2
    const d = giveName(names, g.add(c, a), "h22");
    const plan = planStorage([d, c, b, a], { locals: "all", names, namer: new Namer() });
    const bases = [a, b, c].map((n) => plan.storage.get(n.id)).map((st) => (st?.kind === "local" ? st.base : ""));
    expect(bases).toEqual(["h", "h2", "h22"]); // before the fix: h, h2, h2 (two `const h2_0`)
  });

  it("extreme numbers become exact literals (including constants that fold to Infinity or NaN)", async () => {
    const source = [
      "model numbers",
      "input x[2]",
      "target y[2]",
      "param w[2] ~ ones",
      "a = w * x * 5e-324 + w * 1.7976931348623157e308 * 0",
      "b = a + x * 0.1 + x * 1e-7 + 123456789012345680000",
      "big = x * (1e308 * 10)",
      "nan = x * (0 * (1e308 * 10))",
      "loss = mean((b - y) ^ 2)",
      "output b",
    ].join("\n");
    const { code, model, derived } = await compile(source, "numbers.nn");
    await checkClean(code);
    const mod = await importCode(code);
    const params = Float64Array.of(1, 1);
    const x = [2, -3];
    const values = new Map<string, Float64Array>([
      [model.input.name, Float64Array.from(x)],
      [model.target.name, Float64Array.of(0, 0)],
      ["w", params],
    ]);
    const expected = interpret([derived.predict], { values }).get(derived.predict.id)!;
    const out = mod.predict(params, x);
    expect(Array.from(out)).toEqual(Array.from(expected));
    expect(out[0]).toBe(2 * 5e-324 + 2 * 0.1 + 2 * 1e-7 + 123456789012345680000);
  });
});
