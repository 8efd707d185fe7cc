// `nnc model.nn --emit ir`: the graph at each stage and the node count after each pass.

import { describe, expect, it } from "vitest";
import { irReport } from "../../compiler/cli/ir-report.js";
import { model } from "./helpers.js";

describe("--emit ir", () => {
  it("prints the graph as built, with stable forms, after autodiff and after simplify, with counts per pass", () => {
    const m = model("xor");
    const text = irReport(m.source, m.file);
    const headers = text.split("\n").filter((l) => /^# \d\./.test(l));
    expect(headers.map((h) => h.slice(0, 12))).toEqual(["# 1. forward", "# 2. stable ", "# 3. after a", "# 4. after s"]);
    const count = (re: RegExp) => Number(re.exec(text)![1]);
    const built = count(/# 1\. forward.*: (\d+) nodes/);
    const stable = count(/# 2\. .*: (\d+) nodes/);
    const autodiff = count(/# 3\. after autodiff: (\d+) nodes/);
    const simplified = count(/# 4\. after simplify: (\d+) nodes/);
    expect(autodiff).toBeGreaterThan(stable);
    expect(simplified).toBeLessThan(autodiff);
    const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : "0");
    expect(text).toMatch(new RegExp(`#   stable forms +${stable} nodes +${signed(stable - built)}`));
    expect(text).toMatch(new RegExp(`#   autodiff +${autodiff} nodes +\\${signed(autodiff - stable)}`));
    expect(text).toMatch(new RegExp(`#   simplify +${simplified} nodes +${signed(simplified - autodiff)}`));
    // The stable form of the cross-entropy is what gets differentiated.
    expect(text).toMatch(/rewrites: .*cross-entropy of sigmoid ×1/);
    // Before derive names anything, the as-built graph has no adjoints.
    const section1 = text.slice(0, text.indexOf("# 2."));
    expect(section1).not.toMatch(/^d\w+:/m);
    expect(text.slice(text.indexOf("# 4."))).toContain("dz_p:[1] = sub p y");
  });
});
