// File names reach the terminal escaped, wherever nnc prints them: status lines of compile,
// graph, train (data, weights, curve), predict and evaluate, and error messages. A name may hold
// anything but `/` and NUL on Linux, escape sequences included; printed raw, one could clear the
// screen, retitle the terminal or hide text. Each is shown as compiler/data/errors.ts shows values.

import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { HERE, blobRows, runNnc, tempDir, toCsv } from "../cli-train/helpers.js";

const CLEAR = "\u001b[2J";
const TITLE = "\u001b]0;owned\u0007";
/** Control characters other than the newline that ends a line. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
let dir = "";

beforeAll(() => {
  dir = tempDir("shown-names");
  copyFileSync(join(HERE, "blobs.nn"), join(dir, `m${CLEAR}.nn`));
  // A hostile column name too: it reaches the "Training data" line.
  writeFileSync(join(dir, `d${CLEAR}.csv`), toCsv(["x0", `x1${TITLE}`, "y"], blobRows(16)));
  writeFileSync(join(dir, `h${TITLE}.csv`), toCsv(["x0", `x1${TITLE}`, "y"], blobRows(8)));
  mkdirSync(join(dir, `folder${CLEAR}`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("names printed by nnc", () => {
  it("are escaped in every status line and error message", async () => {
    const model = `m${CLEAR}.nn`;
    const weights = `w${TITLE}.json`;
    const inputs = ["--inputs", `x0,x1${TITLE}`];
    const train = await runNnc(["train", model, "--data", `d${CLEAR}.csv`, "--test", `h${TITLE}.csv`, ...inputs, "--epochs", "1", "--save", weights, "--plot", `c${CLEAR}.svg`], dir);
    expect(train.code).toBe(0);
    const runs = await Promise.all([
      runNnc([model, "-o", `o${CLEAR}.ts`], dir),
      runNnc([model, "-o", `o${CLEAR}.js`], dir),
      runNnc(["graph", model, "-o", `g${CLEAR}.dot`], dir),
      runNnc(["predict", model, "--weights", weights, "--data", `d${CLEAR}.csv`, ...inputs, "-o", `p${TITLE}.csv`], dir),
      runNnc(["evaluate", model, "--weights", weights, "--data", `d${CLEAR}.csv`, ...inputs], dir),
      runNnc([model, "-o", `missing${CLEAR}/o.ts`], dir),
      runNnc([model, "-o", `folder${CLEAR}`], dir),
      runNnc(["train", model, "--data", `none${TITLE}.csv`], dir),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    for (const run of [train, ...runs]) {
      expect(run.stdout).not.toMatch(CONTROL);
      expect(run.stderr).not.toMatch(CONTROL);
    }
    const clear = "\\u001b[2J";
    const title = "\\u001b]0;owned\\u0007";
    expect(train.stdout).toContain(`Training data d${clear}.csv: 16 rows (input x <- x0, x1${title}; target y <- y)`);
    expect(train.stdout).toContain(`Validation data h${title}.csv: 8 rows (input x <- x0, x1${title}`);
    expect(train.stdout).toContain(`Evaluate on 16 rows of d${clear}.csv: loss: `);
    expect(train.stderr).toContain(`nnc: saved the weights to w${title}.json\n`);
    expect(train.stderr).toContain(`nnc: wrote the training curve to c${clear}.svg\n`);
    expect(runs[0]!.stderr).toMatch(new RegExp(`^nnc: m\\\\u001b\\[2J\\.nn -> o\\\\u001b\\[2J\\.ts \\(`));
    expect(runs[1]!.stderr).toContain(`-> o${clear}.js and o${clear}.d.ts (`);
    expect(runs[2]!.stderr).toBe(`nnc: m${clear}.nn -> g${clear}.dot\n`);
    expect(runs[3]!.stderr).toBe(`nnc: wrote 16 predictions to p${title}.csv\n`);
    expect(runs[4]!.stdout).toContain(`Evaluate on 16 rows of d${clear}.csv: loss: `);
    expect(runs[5]!.stderr).toBe(`nnc: error: cannot write 'missing${clear}/o.ts': the folder 'missing${clear}' does not exist\n`);
    expect(runs[6]!.stderr).toBe(`nnc: error: cannot write 'folder${clear}': it is a directory\n`);
    expect(runs[7]!.stderr).toBe(`nnc: error: cannot read 'none${title}.csv': no such file\n`);
  });
});
