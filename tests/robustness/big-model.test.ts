// A model above 25 million parameters (the limit is 100 million) can be trained, saved and
// loaded by the CLI: its weights as JSON (about 595 million characters here) are longer than a
// JavaScript string can be (2^29 − 24 characters in V8), so `nnc train --save` writes them in
// pieces and `--weights` reads them as a stream (before, training ended in `internal error:
// Invalid string length`). The generated module's own saveParams, which returns one string,
// says why it cannot instead of throwing a bare RangeError.
//
// Heavy by design (the limit is V8's, so only a model this large shows it): about 30 s on 2
// cores, 600 MB of weights in a temporary folder, deleted afterwards.

import { execFile } from "node:child_process";
import { mkdtempSync, openSync, readSync, closeSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileAndImport } from "../helpers/generated.js";

const NNC = fileURLToPath(new URL("../../bin/nnc.js", import.meta.url));
const SIZE = 5200;
/** 5200 × 5200 + 5200 + 5200 + 1 = 27,050,401 parameters, Glorot-initialized: ~22 characters each as JSON. */
const MODEL = `model huge
input x[${SIZE}]
target y[1]
h = dense(x, ${SIZE}, tanh)
out = dense(h, 1)
loss mse(out, y)
optimizer sgd(lr = 0.001)
`;
const MAX_STRING = 2 ** 29 - 24;

function nnc(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NNC, ...args], { cwd: dir, env: { ...process.env, NNC_DEBUG: "" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nnc-big-model-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a model of 27 million parameters", () => {
  it("[R11] trains, saves and loads through the CLI, and saveParams says why it cannot return one string", async () => {
    writeFileSync(join(dir, "huge.nn"), MODEL);
    const row = [...Array.from({ length: SIZE }, (_, i) => ((i % 7) / 7).toFixed(3)), "0.5"].join(",");
    writeFileSync(join(dir, "d.csv"), `${[...Array.from({ length: SIZE }, (_, i) => `x${i}`), "y"].join(",")}\n${row}\n${row}\n`);

    // The CLI trains in a child process while this one checks the generated saveParams.
    const training = nnc(dir, ["train", "huge.nn", "--data", "d.csv", "--epochs", "1", "--save", "w.json"]);
    const { mod } = await compileAndImport(MODEL, "huge.nn", { format: false });
    expect(mod.model.paramCount).toBe(27_050_401);
    let message = "";
    try {
      mod.saveParams(mod.init(0));
    } catch (e) {
      expect(e).not.toBeInstanceOf(RangeError);
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^saveParams: the JSON of model 'huge' \(27050401 parameters\) has \d+ characters, more than a JavaScript string can hold; keep the parameter vector itself \(its bytes\), or let nnc train --save write the weights, which it does in pieces$/,
    );
    expect(Number(/has (\d+) characters/.exec(message)![1])).toBeGreaterThan(MAX_STRING);

    const trained = await training;
    expect({ code: trained.code, stderr: trained.stderr }).toEqual({ code: 0, stderr: "nnc: saved the weights to w.json\n" });
    const size = statSync(join(dir, "w.json")).size;
    expect(size).toBeGreaterThan(MAX_STRING); // ASCII: bytes = characters
    const fd = openSync(join(dir, "w.json"), "r");
    const head = Buffer.alloc(200);
    readSync(fd, head, 0, 200, 0);
    closeSync(fd);
    expect(head.toString()).toMatch(/^\{"format":"nnc-params","version":1,"model":"huge","layoutHash":"[0-9a-f]{16}","params":\{\n"W_h":\{"shape":\[5200,5200\],"data":\[/);

    // Loaded back by evaluate: the same loss as training's final evaluation, to the last digit shown.
    const evaluated = await nnc(dir, ["evaluate", "huge.nn", "--weights", "w.json", "--data", "d.csv"]);
    expect({ code: evaluated.code, stderr: evaluated.stderr }).toEqual({ code: 0, stderr: "" });
    const finalLine = (text: string) => /Evaluate on 2 rows of d\.csv: loss: \S+/.exec(text)?.[0];
    expect(finalLine(evaluated.stdout)).toBeDefined();
    expect(finalLine(evaluated.stdout)).toBe(finalLine(trained.stdout));
  }, 240_000);
});
