// `nnc graph` on a model too large to lay out in reasonable time: the picture is refused with
// advice before Graphviz starts (no multi-minute run, no stack overflow inside Graphviz), and
// the DOT text is still written.

import { describe, expect, it } from "vitest";
import { graphOutput } from "../../compiler/cli/graph-command.js";
import { CliError } from "../../compiler/cli/io.js";
import { MAX_BOXES } from "../../compiler/explain/layout.js";

/** A chain of `layers` dense layers (about 11 boxes each in the picture). */
function deep(layers: number): string {
  const lines = ["model deep", "input x[4]", "target y[1]", "h0 = dense(x, 4, relu)"];
  for (let i = 1; i < layers; i++) lines.push(`h${i} = dense(h${i - 1}, 4, relu)`);
  return `${lines.join("\n")}\nout = dense(h${layers - 1}, 1)\nloss mse(out, y)\n`;
}

describe("nnc graph on a model too large to draw", () => {
  const source = deep(Math.ceil(MAX_BOXES / 11) + 10);

  it("[C7] refuses the SVG and the page with advice, before laying anything out", async () => {
    for (const out of ["deep.svg", "deep.html"]) {
      const started = performance.now();
      const error = await graphOutput(source, "deep.nn", out).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).message).toMatch(/^deep\.nn draws as \d+ boxes; above 4000 Graphviz takes too long to lay them out\. Write -o deep\.dot for the graph as DOT text, or draw a smaller model$/);
      expect(performance.now() - started).toBeLessThan(20_000); // the analysis only
    }
  });

  it("still writes the DOT text", async () => {
    expect(await graphOutput(source, "deep.nn", "deep.dot")).toMatch(/^digraph "deep" \{/);
  });
});
