// The Program, the value between lowering and printing: its text (`nnc --emit program`) for
// parity and MNIST against reviewed golden files, and what it promises the printers: every
// stored tensor in a buffer named after it, every function within V8's budget by its own
// count and by an independent count of the printed text, every printed line ≤ 120 characters.
// After a deliberate change: UPDATE_GOLDEN=1 npx vitest run tests/lower/program.test.ts, then
// read the diff.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lowerSource } from "../../compiler/compile.js";
import { FUNCTION_TOKEN_BUDGET } from "../../compiler/lower/budget.js";
import { printFunction } from "../../compiler/print/typescript.js";
import { programText } from "../../compiler/print/program-text.js";
import { ROOT } from "../../scripts/examples.js";
import { ALL_MODELS, model } from "../explain/helpers.js";
import { tokensOfText } from "../helpers/tokens.js";

const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

describe.each(["parity", "mnist"])("--emit program for %s", (name) => {
  it("matches its golden file", () => {
    const m = model(name);
    const text = programText(lowerSource(m.source, m.file).program);
    const golden = `${ROOT}tests/golden/${name}.program.txt`;
    if (UPDATE) writeFileSync(golden, text);
    expect(existsSync(golden), `no golden: run UPDATE_GOLDEN=1 npx vitest run tests/lower/program.test.ts and review it`).toBe(true);
    expect(text).toBe(readFileSync(golden, "utf8"));
  });
});

describe("the Program of MNIST", () => {
  const m = model("mnist");
  const { program } = lowerSource(m.source, m.file);

  it("keeps every stored tensor in a buffer named as nnc grad names it", () => {
    const names = program.buffers.map((b) => b.name);
    for (const name of ["mask0", "Wx_h", "z_h", "d", "z_out", "out", "dz_out", "dd", "dz_h"]) expect(names).toContain(name);
    expect(names.filter((n) => /^t\d+$/.test(n))).toEqual([]);
    const zh = program.buffers.find((b) => b.name === "z_h")!;
    expect(zh).toMatchObject({ shape: [128], rows: program.maxBatch, length: 128 * program.maxBatch, role: "forward" });
    expect(zh.origin?.line).toBe(9);
    expect(program.buffers.find((b) => b.name === "dz_h")!.role).toBe("gradient");
  });
});

describe.each(ALL_MODELS)("the Program of $name", (m) => {
  it("keeps its functions within the budget, by its count and by the printed text's", async () => {
    for (const options of [{}, { batch: "never" as const }]) {
      const { program } = lowerSource(m.source, m.file, options);
      for (const fn of program.functions) {
        expect(fn.tokens).toBeLessThanOrEqual(FUNCTION_TOKEN_BUDGET);
        const printed = tokensOfText(printFunction(fn).split("\n"));
        // The estimate tracks the text within a few percent (the signature is not counted).
        expect(Math.abs(printed - fn.tokens)).toBeLessThanOrEqual(0.05 * fn.tokens + 100);
      }
    }
  });
});
