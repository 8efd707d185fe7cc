// `nnc grad` output (math) for every example, against reviewed golden files in tests/golden/.
// After a deliberate change: UPDATE_GOLDEN=1 npx vitest run tests/explain/grad-golden.test.ts,
// then read the diff: each equation must still be the right derivative.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gradReport } from "../../compiler/cli/grad-command.js";
import { analyze } from "../../compiler/compile.js";
import { ROOT } from "../../scripts/examples.js";
import { ALL_MODELS } from "./helpers.js";

const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

describe.each(ALL_MODELS)("nnc grad $name", (m) => {
  it("matches its golden file", async () => {
    const text = await gradReport(m.source, m.file);
    const golden = `${ROOT}tests/golden/${m.name}.grad.txt`;
    if (UPDATE) writeFileSync(golden, text);
    expect(existsSync(golden), `no golden for ${m.file}: run UPDATE_GOLDEN=1 npx vitest run tests/explain/grad-golden.test.ts and review it`).toBe(true);
    expect(text).toBe(readFileSync(golden, "utf8"));
  });

  it("is short and gives every parameter's gradient with its shape", async () => {
    const text = await gradReport(m.source, m.file);
    // Tensor-level equations: a few lines per layer, however many units it has (the 8-layer
    // deep_* examples print 63 lines for 18 tensors; one line per unit would be hundreds).
    const { model } = analyze(m.source, m.file);
    expect(text.split("\n").length).toBeLessThan(30 + 2 * model.params.length);
    for (const p of model.params) expect(text).toMatch(new RegExp(`∂L/∂${p.name} += .*\\[${p.shape.join(", ")}\\]`));
  });
});
