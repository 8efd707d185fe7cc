// Values named like the element locals of another value (`h_0` beside `h`, `z_h_1` beside `z_h`)
// compile in every strategy: lowering gives each name one meaning without searching forever for
// a free one. (Found by the compile fuzz: Namer.take("h_0") after Namer.base("h") tried h_02,
// h_03, … for ever, since every candidate is again an element local of h; `nnc model.nn` hung.)
// The compiler runs in a child process with a deadline, so a hang fails the test, not the run.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Compiling these models takes about a second; a child still running after this has hung. */
const DEADLINE_MS = 15_000;

// h = tanh(w x) and h_0 = h², with w = 1: the output is tanh(x)², its loss (tanh(x)⁴ − y)².
const MODEL = "input x[1]\ntarget y[1]\nparam w[1] ~ ones\nh = tanh(w * x)\nh_0 = h * h\nloss = mean((h_0 * h_0 - y) ^ 2)\n";
// The same clash with a layer's names (z_h, Wx_h) and a longer index.
const LAYER_MODEL = "input x[2]\ntarget y[1]\nh = dense(x, 2, tanh)\nh_0 = h * h\nz_h_1 = h_0 * h_0 + h_0\nh_12 = z_h_1 * 2\nloss = mean((sum(h_12) - y) ^ 2)\n";

const STRATEGIES = [
  ["default", {}],
  ["batch always", { batch: "always" }],
  ["batch never, unroll never", { batch: "never", unroll: "never" }],
  ["batch never, unroll auto", { batch: "never", unroll: "auto" }],
  ["batch never, unroll always", { batch: "never", unroll: "always" }],
] as const;

/** Runs `body` (an ES module using the compiler's sources) in a child process; its lines of stdout, or why it did not finish. */
function inChild(body: string): { lines: string[]; problem?: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", body], { cwd: ROOT, timeout: DEADLINE_MS, encoding: "utf8" });
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  if (r.error || r.status !== 0) return { lines, problem: r.signal === "SIGTERM" ? `still running after ${DEADLINE_MS} ms (a hang) after: ${lines.at(-1) ?? "nothing"}` : `exit ${r.status}: ${r.stderr}` };
  return { lines };
}

describe("names of the form <value>_<digits>", () => {
  it("get a free name from the namer, in every way it names things", () => {
    const { lines, problem } = inChild(`
      import { Namer } from "./compiler/lower/namer.ts";
      const n = new Namer();
      const out = (what, name) => console.log(JSON.stringify([what, name]));
      out("base h", n.base("h"));
      out("base W_h", n.base("W_h"));
      out("take h_0", n.take("h_0"));
      out("take h_12", n.take("h_12"));
      out("take W_h_3", n.take("W_h_3"));
      out("fresh h_", n.fresh("h_"));
      out("base h_5", n.base("h_5"));
    `);
    expect(problem).toBeUndefined();
    const names = lines.map((l) => JSON.parse(l) as [string, string]);
    expect(names.map(([what]) => what)).toEqual(["base h", "base W_h", "take h_0", "take h_12", "take W_h_3", "fresh h_", "base h_5"]);
    const given = names.map(([, name]) => name);
    expect(new Set(given).size, given.join(", ")).toBe(given.length);
    // None is an element local of the bases h and W_h.
    for (const name of given.slice(2)) expect(name).not.toMatch(/^(h|W_h)_\d+$/);
  });

  it("models with such names compile in every strategy, and compute what they say", async () => {
    // Both models in every strategy in one child (a hang costs one deadline, not ten).
    const { lines, problem } = inChild(`
      import { compile } from "./compiler/compile.ts";
      for (const source of ${JSON.stringify([MODEL, LAYER_MODEL])}) {
        for (const [name, options] of ${JSON.stringify(STRATEGIES)}) {
          console.log("compiling " + JSON.stringify(source.split("\\n").slice(3, 5).join("; ")) + " with " + name);
          await compile(source, "clash.nn", options);
        }
      }
      console.log("done");
    `);
    expect(problem).toBeUndefined();
    expect(lines.at(-1)).toBe("done");
    // Compiling ends, so it can run here: h = tanh(w x), h_0 = h² with w = 1.
    for (const [name, options] of STRATEGIES) {
      const { mod } = await compileAndImport(MODEL, "clash.nn", options);
      const params = mod.init(0);
      expect(mod.predict(params, [0.5])[0], name).toBeCloseTo(Math.tanh(0.5) ** 2, 12);
      expect(mod.loss(params, [0.5], [1]), name).toBeCloseTo((Math.tanh(0.5) ** 4 - 1) ** 2, 12);
    }
  });
});
