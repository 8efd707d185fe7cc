// `nnc train`, `nnc evaluate`, `nnc predict` end to end, as subprocesses: a small CSV (with a
// JSON Lines test set) and iris; the weights file loads back and equals what the generated
// module's own fit gives with the same seed; the SVG curve is well-formed XML with one point
// per epoch; bad data and bad weights give one-line errors naming file, row and column.

import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";
import { blobRows, HERE, runNnc, tempDir, toCsv } from "./helpers.js";

const BLOBS = join(HERE, "blobs.nn");
const IRIS = join(HERE, "iris.nn");

/** The numbers of one "Evaluate on N rows of SOURCE: loss: L - accuracy: A" line. */
function evaluation(stdout: string, source: string): { loss: number; accuracy: number } {
  const line = stdout.split("\n").find((l) => / rows? of /.test(l) && l.startsWith("Evaluate on ") && l.includes(` of ${source}: `));
  expect(line, `no evaluation of ${source} in:\n${stdout}`).toBeDefined();
  const m = /loss: ([-\d.e]+) - accuracy: ([-\d.e]+)$/.exec(line!)!;
  return { loss: Number(m[1]), accuracy: Number(m[2]) };
}

describe("nnc train on a small CSV with a JSON Lines test set", () => {
  const dir = tempDir("train");
  const trainRows = blobRows(64);
  const testRows = blobRows(20, 1000);
  let blobs: GeneratedModule;
  let run: Awaited<ReturnType<typeof runNnc>>;

  beforeAll(async () => {
    writeFileSync(join(dir, "train.csv"), toCsv(["x0", "x1", "y"], trainRows));
    writeFileSync(join(dir, "test.jsonl"), testRows.map(([a, b, y]) => JSON.stringify({ x: [a, b], y })).join("\n"));
    [run, { mod: blobs }] = await Promise.all([
      runNnc(["train", BLOBS, "--data", "train.csv", "--test", "test.jsonl", "--epochs", "12", "--batch-size", "8", "--seed", "3", "--save", "w.json", "--plot", "curve.svg"], dir),
      compileAndImport(readFileSync(BLOBS, "utf8"), "blobs.nn"),
    ]);
  });

  it("trains, reports every epoch and evaluates like Keras", () => {
    expect(run.stderr).toBe("nnc: saved the weights to w.json\nnnc: wrote the training curve to curve.svg\n");
    expect(run.code).toBe(0);
    const epochs = run.stdout.split("\n").filter((l) => l.startsWith("Epoch "));
    expect(epochs.map((l) => l.split(" ")[1])).toEqual(Array.from({ length: 12 }, (_, i) => `${i + 1}/12`));
    for (const l of epochs) expect(l).toMatch(/ - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - val_accuracy: [\d.]+$/);
    expect(run.stdout).toContain("Training data train.csv: 64 rows (input x <- x0, x1; target y <- y)");
    expect(evaluation(run.stdout, "test.jsonl").accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it("saves weights that loadParams accepts and that equal the module's own fit with the same seed", () => {
    const saved = readFileSync(join(dir, "w.json"), "utf8");
    const loaded = blobs.loadParams(saved);
    const xs = trainRows.map((r) => r.slice(0, 2));
    const ys = trainRows.map((r) => r.slice(2));
    const params = blobs.init(3);
    blobs.fit(params, xs, ys, { epochs: 12, batchSize: 8, seed: 3, validationData: [testRows.map((r) => r.slice(0, 2)), testRows.map((r) => r.slice(2))] });
    expect([...loaded]).toEqual([...params]);
    const { loss, accuracy } = blobs.evaluate(params, testRows.map((r) => r.slice(0, 2)), testRows.map((r) => r.slice(2)));
    expect(evaluation(run.stdout, "test.jsonl")).toEqual({ loss: Number(loss.toFixed(4)), accuracy: Number(accuracy.toFixed(4)) });
    // Atomic writes leave no temporary files behind.
    expect(readdirSync(dir).sort()).toEqual(["curve.svg", "test.jsonl", "train.csv", "w.json"]);
  });

  it("writes an SVG curve that parses, with one point per epoch for each series", () => {
    const svg = readFileSync(join(dir, "curve.svg"), "utf8");
    expect(XMLValidator.validate(svg)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(svg);
    const lines = (doc.svg.polyline as { "data-series"?: string; points: string }[]).filter((p) => p["data-series"]);
    const counts = Object.fromEntries(lines.map((p) => [p["data-series"], p.points.trim().split(/\s+/).length]));
    // The curves, and nnc train's health panels: each weight's gradient norm, each sigmoid layer's saturated fraction.
    expect(counts).toEqual({ loss: 12, val_loss: 12, accuracy: 12, val_accuracy: 12, grad_W_h: 12, grad_W_out: 12, saturated_h: 12, saturated_out: 12 });
  });
});

describe("nnc train / evaluate / predict on iris", () => {
  const dir = tempDir("iris");
  let train: Awaited<ReturnType<typeof runNnc>>;

  beforeAll(async () => {
    train = await runNnc(["train", IRIS, "--data", "iris", "--split", "0.2", "--epochs", "60", "--batch-size", "16", "--save", "iris.json"], dir);
  });

  it("reaches over 90% accuracy on the held-out fifth", () => {
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toContain("Validation data iris (held out, --split 0.2): 30 rows (input x <- sepal_length, sepal_width, petal_length, petal_width; target y <- species as class indexes)");
    expect(evaluation(train.stdout, "iris (held out, --split 0.2)").accuracy).toBeGreaterThanOrEqual(0.9);
    expect(train.stdout).toMatch(/^Evaluate on 120 rows of iris \(training part, --split 0\.2\): loss: [\d.]+ - accuracy: [\d.]+$/m);
    expect(train.stdout).toMatch(/^Evaluate on 30 rows of iris \(held out, --split 0\.2\): loss: [\d.]+ - accuracy: [\d.]+$/m);
    // No line reads "(…) (…)": bracketed remarks are never stacked.
    expect(train.stdout.split("\n").filter((l) => /\)\s*\(/.test(l))).toEqual([]);
  });

  it("evaluate and predict agree with each other on the saved weights; train --weights starts from them", async () => {
    const [evaluated, predicted, resumed] = await Promise.all([
      runNnc(["evaluate", IRIS, "--weights", "iris.json", "--data", "iris"], dir),
      runNnc(["predict", IRIS, "--weights", "iris.json", "--data", "iris", "-o", "pred.csv"], dir),
      runNnc(["train", IRIS, "--weights", "iris.json", "--data", "iris", "--epochs", "1"], dir),
    ]);
    // One epoch from fresh weights scores about a third; from the saved ones, as well as before.
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(evaluation(resumed.stdout, "iris").accuracy).toBeGreaterThanOrEqual(0.9);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(predicted.code, predicted.stderr).toBe(0);
    const { accuracy } = evaluation(evaluated.stdout, "iris");
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    const lines = readFileSync(join(dir, "pred.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toBe("out0,out1,out2,class");
    expect(lines.length).toBe(151);
    // iris rows are 50 of each species in order: the predicted class should match the row's.
    const hits = lines.slice(1).filter((l, r) => Number(l.split(",")[3]) === Math.floor(r / 50)).length;
    expect((hits / 150).toFixed(4)).toBe(accuracy.toFixed(4));
    for (const l of lines.slice(1)) expect(l.split(",").slice(0, 3).reduce((s, p) => s + Number(p), 0)).toBeCloseTo(1, 12);
  });
});

describe("errors are one line naming the place, never a stack trace", () => {
  const dir = tempDir("errors");

  it("bad data, wrong weights, missing files", async () => {
    writeFileSync(join(dir, "bad.csv"), "x0,x1,y\n1,2,0\n3,abc,1\n");
    writeFileSync(join(dir, "good.csv"), toCsv(["x0", "x1", "y"], blobRows(4)));
    writeFileSync(join(dir, "other.json"), '{"model": "iris"}');
    const [bad, weights, missing, both] = await Promise.all([
      runNnc(["train", BLOBS, "--data", "bad.csv", "--save", "w.json"], dir),
      runNnc(["evaluate", BLOBS, "--weights", "other.json", "--data", "good.csv"], dir),
      runNnc(["predict", BLOBS, "--weights", "nope.json", "--data", "good.csv"], dir),
      runNnc(["train", BLOBS, "--data", "good.csv", "--test", "good.csv", "--split", "0.5"], dir),
    ]);
    expect(bad.stderr).toBe("nnc: error: bad.csv:3: row 2, column 2 ('x1'): 'abc' is not a number\n");
    expect(weights.stderr).toMatch(/^nnc: error: other\.json: .+\n$/);
    expect(missing.stderr).toBe("nnc: error: cannot read 'nope.json': no such file\n");
    expect(both.stderr).toBe("nnc: error: give either --test or --split, not both. See 'nnc help train'.\n");
    for (const r of [bad, weights, missing]) expect(r.code).toBe(1);
    expect(both.code).toBe(2); // a malformed command line
    expect(existsSync(join(dir, "w.json"))).toBe(false);
  });
});
