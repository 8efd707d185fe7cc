// `nnc train` on a CNN whose input is an image, img[28, 28, 1], with the built-in MNIST digits
// (784 pixel columns): the columns fill the image in order (row-major, channels last), which
// the saved weights prove: they equal the generated module's own fit() on the same 64 digits
// read straight from the `mnist` package. The curve is written; and on a terminal the progress
// bar is drawn (stdout made a TTY by as-terminal.mjs).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { HERE, type Run, runNnc, startNnc, tempDir } from "./helpers.js";

const CNN = join(HERE, "mnist-cnn.nn");
const ROWS = 64;
const ARGS = ["train", CNN, "--data", "mnist", "--limit", String(ROWS), "--epochs", "2", "--batch-size", "16", "--seed", "3"];

/**
 * The first `n` rows of `--data mnist`, from the package itself: row r is the (r div 10)-th image
 * of digit r mod 10 (compiler/data/mnist.ts interleaves the digits so that a prefix has all ten).
 */
function mnistRows(n: number): { xs: number[][]; ys: number[][] } {
  const digits = createRequire(import.meta.url)("mnist") as { raw: number[] }[];
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let r = 0; r < n; r++) {
    const [digit, k] = [r % 10, Math.floor(r / 10)];
    xs.push(digits[digit]!.raw.slice(k * 784, (k + 1) * 784));
    ys.push(Array.from({ length: 10 }, (_, j) => (j === digit ? 1 : 0)));
  }
  return { xs, ys };
}

describe("nnc train on a CNN with an image input and --data mnist", () => {
  const dir = tempDir("train-cnn");
  let run: Run;
  let mod: GeneratedModule;

  beforeAll(async () => {
    [run, { mod }] = await Promise.all([runNnc([...ARGS, "--save", "w.json", "--plot", "curve.svg"], dir), compileAndImport(readFileSync(CNN, "utf8"), "mnist-cnn.nn")]);
  }, 120_000);

  it("matches the 784 pixel columns to the image and trains, epoch by epoch", () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("nnc: saved the weights to w.json\nnnc: wrote the training curve to curve.svg\n");
    expect(run.stdout).toContain(`Training data mnist: ${ROWS} rows (input img <- pixel0, pixel1, …, pixel783 (784 columns); target y <- label as class indexes)`);
    const epochs = run.stdout.split("\n").filter((l) => l.startsWith("Epoch "));
    expect(epochs).toHaveLength(2);
    for (const l of epochs) expect(l).toMatch(/^Epoch [12]\/2 - 64 samples in [\d.]+m?s \([\d,]+\/s\) - loss: [\d.]+ - accuracy: [\d.]+$/);
    expect(run.stdout).toMatch(/^Evaluate on 64 rows of mnist: loss: [\d.]+ - accuracy: [\d.]+$/m);
  });

  it("saves exactly the weights of the module's own fit on those digits, pixel k as element k of the image", () => {
    const { xs, ys } = mnistRows(ROWS);
    const params = mod.init(3);
    mod.fit(params, xs, ys, { epochs: 2, batchSize: 16, seed: 3 });
    expect([...mod.loadParams(readFileSync(join(dir, "w.json"), "utf8"))]).toEqual([...params]);
    // The check can fail: the same digits with each image transposed (columns read as rows) train to other weights.
    const transposed = xs.map((x) => x.map((_, k) => x[(k % 28) * 28 + Math.floor(k / 28)]!));
    const other = mod.init(3);
    mod.fit(other, transposed, ys, { epochs: 2, batchSize: 16, seed: 3 });
    expect([...other]).not.toEqual([...params]);
  });

  it("writes a curve with a point per epoch for loss, accuracy and the health panels", () => {
    const svg = readFileSync(join(dir, "curve.svg"), "utf8");
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(svg);
    const lines = (doc.svg.polyline as { "data-series"?: string; points: string }[]).filter((p) => p["data-series"]);
    expect(Object.fromEntries(lines.map((p) => [p["data-series"], p.points.trim().split(/\s+/).length]))).toEqual({
      loss: 2,
      accuracy: 2,
      // nnc train's health panels: each weight's gradient norm, the relu conv layer's dead fraction.
      grad_K_c1: 2,
      grad_W_out: 2,
      dead_c1: 2,
    });
  });

  it("draws the progress bar on a terminal", async () => {
    const tty = await startNnc(ARGS, tempDir("train-cnn-tty"), undefined, ["--import", join(HERE, "as-terminal.mjs")]);
    expect(tty.code, tty.stderr).toBe(0);
    // Each epoch's bar ends full, with the epoch's numbers and time; no plain epoch lines.
    for (const epoch of [1, 2]) expect(tty.stdout).toMatch(new RegExp(`Epoch ${epoch}/2 \\[=+\\] 64/64 \\| [\\d,]+ samples/s \\| loss [\\d.]+ \\| accuracy [\\d.]+ \\| [\\d.]+m?s`));
    expect(tty.stdout).not.toMatch(/^Epoch \d\/2 - /m);
    // Drawn in place (cursor to column 1, line cleared), the cursor shown again at the end.
    expect(tty.stdout).toContain("\u001b[1G");
    expect(tty.stdout.lastIndexOf("\u001b[?25h")).toBeGreaterThan(tty.stdout.lastIndexOf("\u001b[?25l"));
    expect(tty.stdout).toMatch(/^Evaluate on 64 rows of mnist: /m);
  }, 120_000);
});
