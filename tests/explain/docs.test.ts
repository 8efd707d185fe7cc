// The README's derivation and docs/parity-graph.svg show what nnc produces today.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { graphOutput } from "../../compiler/cli/graph-command.js";
import { gradReport } from "../../compiler/cli/grad-command.js";
import { ROOT } from "../../scripts/examples.js";
import { model } from "./helpers.js";

describe("docs", () => {
  it("README shows the current `nnc grad` output for parity", async () => {
    const m = model("parity");
    const readme = readFileSync(`${ROOT}README.md`, "utf8");
    const text = await gradReport(m.source, m.file);
    expect(readme.includes("```\n" + text + "```\n"), "README.md's derivation is stale: paste `nnc grad dsl-examples/parity.nn`").toBe(true);
  });

  it("docs/parity-graph.svg is the current picture", async () => {
    const m = model("parity");
    const committed = readFileSync(`${ROOT}docs/parity-graph.svg`, "utf8");
    const svg = await graphOutput(m.source, m.file, "parity-graph.svg");
    expect(committed === svg, "docs/parity-graph.svg is stale: run nnc graph dsl-examples/parity.nn -o docs/parity-graph.svg").toBe(true);
  });
});
