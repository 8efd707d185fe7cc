// The two examples of docs/pathologies.md: `nnc train` run as the page and
// scripts/pathology-curves.ts run it draws exactly the committed curves; deep_sigmoid's first
// layer gets a gradient far below its last layer's (checked on fit's own health numbers and in
// nnc train's warning), and deep_relu's does not.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PATHOLOGY_CURVES } from "../../scripts/pathology-curves.js";
import { irisSplit } from "../../scripts/iris-data.js";
import { compileAndImport } from "../helpers/generated.js";
import { ROOT, runNnc, tempDir } from "./helpers.js";

describe.each(PATHOLOGY_CURVES)("$name", ({ name, svg, args }) => {
  it("draws the committed curve (npm run curves:pathologies)", async () => {
    const plot = join(tempDir("pathology"), `${name}.svg`);
    const run = await runNnc([...args, plot], ROOT);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(plot, "utf8") === readFileSync(join(ROOT, svg), "utf8"), `${svg} is stale: run npm run curves:pathologies`).toBe(true);
    const vanishing = run.stderr.split("\n").filter((l) => l.startsWith("nnc: warning: vanishing gradient: "));
    if (name === "deep_sigmoid") {
      const first = /^nnc: warning: vanishing gradient: W_h1's gradient is ([\d,]+)× smaller than the last layer's \(W_out\) in epoch 1 /.exec(vanishing[0] ?? "");
      expect(first, run.stderr).not.toBeNull();
      expect(Number(first![1]!.replace(/,/g, ""))).toBeGreaterThan(10000);
    } else {
      expect(vanishing).toEqual([]);
    }
  });

  it(name === "deep_sigmoid" ? "starves its first layer: ‖∂L/∂W_h1‖ < ‖∂L/∂W_out‖ / 1000 in every epoch" : "keeps its gradients within 10× of each other", async () => {
    const { mod } = await compileAndImport(readFileSync(join(ROOT, `dsl-examples/${name}.nn`), "utf8"), `${name}.nn`);
    const { train } = irisSplit();
    const fitted = mod.fit(mod.init(0), train.xs, train.ys, { epochs: 5, health: true }) as unknown as {
      health: { params: { name: string; gradNorm: number[] }[] };
    };
    const norms = (p: string) => fitted.health.params.find((q) => q.name === p)!.gradNorm;
    const [first, last] = [norms("W_h1"), norms("W_out")];
    expect(first).toHaveLength(5);
    for (let e = 0; e < 5; e++) {
      if (name === "deep_sigmoid") expect(first[e]! * 1000).toBeLessThan(last[e]!);
      else expect(Math.max(first[e]! / last[e]!, last[e]! / first[e]!)).toBeLessThan(10);
    }
  });
});
