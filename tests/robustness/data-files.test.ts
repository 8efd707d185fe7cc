// Bad data and weights files (docs/errors.md, the D rows), read from disk through the same path
// `nnc train / evaluate / predict` take (openTable / readDataset, readWeights): each gives one
// DataError naming the file and line (for data, also the row and column), with anything quoted
// from the file escaped and cut. The last tests run `nnc` itself: targets a model's loss cannot
// take, hostile cells, /dev/zero and friends are user errors (exit 1), never internal errors.

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabelKind } from "../../runtime/core.js";
import { checkLabels } from "../../runtime/data.js";
import { csvTable } from "../../compiler/data/csv.js";
import { readDataset, type DataShape, type ReadOptions } from "../../compiler/data/dataset.js";
import { DataError } from "../../compiler/data/errors.js";
import { LineSplitter } from "../../compiler/data/lines.js";
import { openTable } from "../../compiler/data/load.js";
import { openInput } from "../../compiler/data/read-file.js";
import { RowStore } from "../../compiler/data/row-store.js";
import { readWeights, weightsLayout } from "../../compiler/data/weights.js";
import { compileAndImport, type GeneratedModule } from "../helpers/generated.js";

const NNC = fileURLToPath(new URL("../../bin/nnc.js", import.meta.url));
const EXAMPLES = fileURLToPath(new URL("../../dsl-examples/", import.meta.url));

const XY: DataShape = { input: { name: "x", size: 2 }, target: { name: "y", size: 1 } };
const IRIS: DataShape = { input: { name: "x", size: 4 }, target: { name: "y", size: 3 } };
const TRAIN: ReadOptions = { target: "required" };

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nnc-data-files-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes `text` to a fresh file with the given extension; returns its path. */
function file(text: string | Buffer, ext = ".csv"): string {
  const path = join(dir, `f${fileCount++}${ext}`);
  writeFileSync(path, text);
  return path;
}

/** The DataError message of reading `path` as data for `shape` (fails when there is none). */
function dataError(path: string, shape: DataShape = XY, opts: ReadOptions = TRAIN): string {
  try {
    readDataset(openTable(path, opts.limit), shape, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    return (e as Error).message.replace(path, "FILE");
  }
  throw new Error(`no error reading ${path}`);
}

const read = (path: string, shape: DataShape = XY, opts: ReadOptions = TRAIN) => readDataset(openTable(path, opts.limit), shape, opts);

describe("data files (docs/errors.md, D rows)", () => {
  it("[D1] a data file of an unknown kind, missing, or a folder", () => {
    expect(dataError(file("x,y\n", ".txt"))).toBe("cannot read data 'FILE': expected a .csv, .tsv, .jsonl or .ndjson file, or a built-in data set (iris, mnist)");
    expect(dataError(join(dir, "missing.csv"))).toBe("cannot read 'FILE': no such file");
    const folder = join(dir, "folder.csv");
    mkdirSync(folder);
    expect(dataError(folder)).toBe("cannot read 'FILE': it is a directory");
    // Names of Object.prototype members are neither built-in data sets nor files (the table of
    // built-ins is looked up by own keys only).
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      expect(dataError(name)).toBe("cannot read data 'FILE': expected a .csv, .tsv, .jsonl or .ndjson file, or a built-in data set (iris, mnist)");
    }
  });

  it("[D2] CSV files that are not well formed", () => {
    expect(dataError(file("x0,x1,y\n1,2,0\n3\n"))).toBe("FILE:3: row 2 has 1 values, the header has 3 columns");
    expect(dataError(file("1,2,0\n3,4\n"))).toBe("FILE:2: row 2 has 2 values, the first line has 3");
    expect(dataError(file('x0,x1,y\n1,"2\n'))).toBe("FILE:2: a quoted field is never closed");
    expect(dataError(file('x0,x1,y\n1,"2"x,0\n'))).toBe("FILE:2: unexpected text after a closing quote");
    expect(dataError(file("x0,x0,y\n1,2,0\n"))).toBe("FILE:1: columns 1 and 2 are both named 'x0'");
    expect(dataError(file("x0,,y\n1,2,0\n"))).toBe("FILE:1: column 2 of the header has no name");
    expect(dataError(file("\n\n"))).toBe("FILE: the file is empty; expected a header line with column names, or rows of numbers");
  });

  it("[D3] JSON Lines files whose lines are not alike objects", () => {
    const first = '{"x": [0, 1], "y": 1}\n';
    expect(dataError(file(`${first}{"x": [0, 1], "y": }\n`, ".jsonl"))).toMatch(/^FILE:2: not valid JSON \(/);
    expect(dataError(file("[1, 2]\n", ".jsonl"))).toBe('FILE:1: expected a JSON object like {"x": [0, 1], "y": 1}, got an array');
    expect(dataError(file(`${first}{"x": [0, 1], "y": 1, "z": 2}\n`, ".jsonl"))).toBe("FILE:2: unexpected key 'z' (the first line does not have it)");
    expect(dataError(file(`${first}{"x": [0, 1]}\n`, ".jsonl"))).toBe("FILE:2: no value for 'y' (the first line has one)");
    expect(dataError(file(`${first}{"x": [0], "y": 1}\n`, ".jsonl"))).toBe("FILE:2: 'x' has 1 values; the first line has 2");
    expect(dataError(file(`${first}{"x": [0, "a"], "y": 1}\n`, ".jsonl"))).toBe("FILE:2: 'x[1]' is 'a'; expected a number");
    expect(dataError(file('{"x": [0, 1], "y": {"a": 1}}\n', ".jsonl"))).toBe("FILE:1: 'y' is an object; expected a number, a string or an array of numbers");
  });

  it("[D4] cells that are not finite decimal numbers; hexadecimal, octal and binary are refused", () => {
    const cell = (text: string) => dataError(file(`x0,x1,y\n1,${text},0\n`));
    expect(cell("abc")).toBe("FILE:2: row 1, column 2 ('x1'): 'abc' is not a number");
    expect(cell(" ")).toBe("FILE:2: row 1, column 2 ('x1'): empty value; expected a number");
    expect(cell("Infinity")).toBe("FILE:2: row 1, column 2 ('x1'): 'Infinity' is not a finite number");
    expect(cell("1e999")).toBe("FILE:2: row 1, column 2 ('x1'): '1e999' is not a finite number");
    for (const text of ["0x10", "0X1f", "0o7", "0b1", " 0x10 "]) {
      expect(cell(text)).toBe(`FILE:2: row 1, column 2 ('x1'): '${text.trim()}' is not a decimal number (hexadecimal, octal and binary numbers are not read)`);
    }
    expect(cell("-0x10")).toBe("FILE:2: row 1, column 2 ('x1'): '-0x10' is not a number");
    // The same rule for strings in JSON Lines, and JSON's own 1e999 (Infinity) is refused too.
    expect(dataError(file('{"x": [1, 2], "y": "0x10"}\n', ".jsonl"))).toBe("FILE:1: row 1, column 3 ('y'): '0x10' is not a decimal number (hexadecimal, octal and binary numbers are not read)");
    expect(dataError(file('{"x": [1, 1e999], "y": 0}\n', ".jsonl"))).toBe("FILE:1: row 1, column 2 ('x[1]'): Infinity is not a finite number");
    // Decimal forms are read, with spaces around them.
    expect([...read(file("x0,x1,y\n .5 ,+3,1e-3\n-0,2.,0\n")).X]).toEqual([0.5, 3, -0, 2]);
  });

  it("[D5] class-index targets out of range", () => {
    expect(dataError(file("x0,x1,x2,x3,y\n1,2,3,4,1\n1,2,3,4,3\n"), IRIS)).toBe("FILE:3: row 2, column 5 ('y'): '3' is not a class index (0..2)");
    expect(dataError(file("x0,x1,x2,x3,y\n1,2,3,4,0x1\n"), IRIS)).toBe("FILE:2: row 1, column 5 ('y'): '0x1' is not a class index (0..2)");
  });

  it("[D6] targets the model's loss cannot take are data errors with their place", () => {
    const binary: DataShape = { ...XY, labels: "probability" };
    expect(dataError(file("x0,x1,y\n1,2,0\n1,2,1\n1,2,2\n"), binary)).toBe("FILE:4: row 3, column 3 ('y'): 2 is out of range; binary_crossentropy needs targets from 0 to 1");
    expect(dataError(file("x0,x1,y\n1,2,-0.5\n"), binary)).toBe("FILE:2: row 1, column 3 ('y'): -0.5 is out of range; binary_crossentropy needs targets from 0 to 1");
    const onehot: DataShape = { ...IRIS, labels: "distribution" };
    expect(dataError(file("x0,x1,x2,x3,y0,y1,y2\n1,2,3,4,1,0,0\n1,2,3,4,0,1,1\n"), onehot)).toBe(
      "FILE:3: row 2: the targets y0, y1, y2 sum to 2; categorical_crossentropy needs one-hot rows or probabilities that sum to 1",
    );
    expect(dataError(file("x0,x1,x2,x3,y0,y1,y2\n1,2,3,4,2,-1,0\n"), onehot)).toBe("FILE:2: row 1, column 5 ('y0'): 2 is out of range; categorical_crossentropy needs targets from 0 to 1");
    // A sparse target read as a value (--labels onehot on a one-column target) is still checked as a class index.
    const sparse: DataShape = { input: { name: "x", size: 4 }, target: { name: "y", size: 1 }, classes: 3, labels: "class-index" };
    expect(dataError(file("x0,x1,x2,x3,y\n1,2,3,4,1.5\n"), sparse, { target: "required", labels: "onehot" })).toBe(
      "FILE:2: row 1, column 5 ('y'): 1.5 is not a class index (0..2); sparse_categorical_crossentropy needs class indexes",
    );
    // Soft labels that sum to 1 and in-range values pass.
    expect(read(file("x0,x1,x2,x3,y0,y1,y2\n1,2,3,4,0.2,0.3,0.5\n"), onehot).rows).toBe(1);
  });

  it("[D6] the data reader refuses exactly the target rows the generated module would refuse", () => {
    // Values around the edges of [0, 1] and sums near 1; class indexes in and out of range.
    const value = fc.constantFrom(-1, -1e-9, 0, 1e-7, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1 - 1e-7, 1, 1 + 1e-9, 1.5, 2);
    const kinds: [LabelKind, number][] = [
      ["probability", 1],
      ["probability", 3],
      ["distribution", 3],
      ["distribution", 2],
      ["class-index", 1],
    ];
    for (const [kind, width] of kinds) {
      fc.assert(
        fc.property(fc.array(fc.array(value, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 4 }), (rows) => {
          // As the CLI's shapeOf: a class count only for a sparse target.
          const shape: DataShape = { input: { name: "x", size: 1 }, target: { name: "y", size: width }, labels: kind, ...(kind === "class-index" ? { classes: 3 } : {}) };
          const header = ["x", ...(width === 1 ? ["y"] : Array.from({ length: width }, (_, j) => `y${j}`))].join(",");
          const text = `${header}\n${rows.map((r) => `0,${r.join(",")}`).join("\n")}\n`;
          let readerRefuses = false;
          try {
            readDataset(csvTable("d.csv", ",", [text]), shape, { target: "required", labels: width === 1 && kind === "class-index" ? "onehot" : "auto" });
          } catch (e) {
            if (!(e instanceof DataError)) throw e;
            readerRefuses = true;
          }
          let moduleRefuses = false;
          try {
            checkLabels(kind, Float64Array.from(rows.flat()), width, 3, "ys");
          } catch {
            moduleRefuses = true;
          }
          expect(readerRefuses).toBe(moduleRefuses);
        }),
        { numRuns: 300, seed: 7 },
      );
    }
  });

  it("[D7] columns that do not map onto the model", () => {
    expect(dataError(file("a,b,c\n1,2,3\n"), IRIS)).toMatch(/^FILE: cannot tell which columns are the input and the target: the header has 3 columns \(a, b, c\); model input x has 4 values/);
    expect(dataError(file("p,q\n1,2\n"), XY, { target: "required", inputs: ["p", "zz"] })).toBe("--inputs: FILE has no column 'zz' (its columns: p, q)");
    expect(dataError(file("p,q,r\n1,2,3\n"), XY, { target: "required", inputs: ["p", "q", "r"] })).toBe("--inputs names 3 columns; input x has 2 values");
    expect(dataError(file("x0,x1,x2,x3,y\n1,2,3,4,1\n"), IRIS, { target: "required", labels: "onehot" })).toBe("--labels onehot: target y needs 3 columns (y0..y2), FILE has one: 'y'");
    // A file without a header names its columns by number.
    expect(dataError(file("1,2,3\n"), XY, { target: "required", inputs: ["a", "b"] })).toBe("--inputs: FILE has no column 'a' (it has no header line: name its 3 columns by number, 1 to 3)");
    expect([...read(file("1,2,3\n4,5,6\n"), XY, { target: "required", inputs: ["3", "1"], targets: ["2"] }).X]).toEqual([3, 1, 6, 4]);
  });

  it("[D8] a header and no rows", () => {
    expect(dataError(file("x0,x1,y\n"))).toBe("FILE: no data rows (only a header)");
    expect(dataError(file('{"x": [0, 1], "y": 1}\n', ".jsonl"), XY, { target: "required", inputs: ["nope", "y"] })).toMatch(/^--inputs: FILE has no column 'nope'/);
  });

  it("[D9] binary files, devices and files without line ends are refused at once", () => {
    expect(dataError(file(Buffer.from([0x78, 0x2c, 0x79, 0x0a, 0x00, 0x31])))).toBe("FILE:2: a NUL character (byte 0): this is not a text file");
    const zero = join(dir, "zero.csv");
    symlinkSync("/dev/zero", zero);
    expect(dataError(zero)).toBe("FILE:1: a NUL character (byte 0): this is not a text file");
    // The line limit, with a small limit (the real one is 2^27 characters).
    const lines = new LineSplitter("d.csv", () => true, 100);
    lines.push("x,y\n");
    lines.push("1".repeat(60));
    expect(() => lines.push("2".repeat(60))).toThrow(new DataError("d.csv:2: line 2 is longer than 100 characters; is this the right file?"));
  });

  it("[D10] data too large for memory is refused before the memory runs out", () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i % 7},${i % 2}`).join("\n");
    const big = file(`x0,x1,y\n${rows}\n`);
    // A budget of 64 KB holds 2,730 rows of 3 numbers (X and Y together).
    const message = dataError(big, XY, { target: "required", budget: { limit: 64 * 1024, used: 0 } });
    expect(message).toMatch(/^FILE:\d+: the data does not fit in memory: \d+ rows of [12] numbers (take|need) \d+ MB, and data may take at most 0 MB here \(half of this machine's memory\); use --limit N to read only the first N rows$/);
    expect(read(big, XY, { target: "required", budget: { limit: 64 * 1024, used: 0 }, limit: 1000 }).rows).toBe(1000);
    // An allocation the system refuses (here 2^33 values, beyond V8's typed array limit) is reported the same way.
    expect(() => new RowStore(2 ** 20, 2 ** 13, { limit: Infinity, used: 0 }, (why) => new DataError(`d.csv: ${why}`))).toThrow(
      new DataError("d.csv: 8192 rows of 1048576 numbers need 65536 MB, which the system refused to allocate"),
    );
  });
});

describe("weights files (docs/errors.md, D11)", () => {
  let xor: GeneratedModule;
  let json = "";
  beforeAll(async () => {
    xor = (await compileAndImport(readFileSync(join(EXAMPLES, "xor.nn"), "utf8"), "xor.nn")).mod;
    json = xor.saveParams(xor.init(3));
  });
  const weightsError = (path: string) => {
    try {
      readWeights(openInput(path), weightsLayout(xor.model));
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      return (e as Error).message.replace(path, "FILE");
    }
    throw new Error(`no error reading ${path}`);
  };

  it("[D11] reads what saveParams wrote, with a byte-order mark too; refuses other files with the reason", () => {
    const layout = weightsLayout(xor.model);
    expect(Array.from(readWeights(openInput(file(json, ".json")), layout))).toEqual(Array.from(xor.loadParams(json)));
    expect(Array.from(readWeights(openInput(file(`\ufeff${json}`, ".json")), layout))).toEqual(Array.from(xor.loadParams(json)));
    // Never-ending or binary input: /dev/zero is refused at its first byte.
    expect(weightsError("/dev/zero")).toBe("FILE: loadParams: not valid JSON (unexpected character U+0000 at line 1, column 1)");
    // A file larger than this model's weights can be: refused by its size, before reading it.
    const huge = file("", ".json");
    truncateSync(huge, 1024 * 1024 + 64 * xor.model.paramCount + 1);
    expect(weightsError(huge)).toBe(`FILE: the file is larger than the weights of model 'xor' (${xor.model.paramCount} parameters) can be as JSON (at most ${1024 * 1024 + 64 * xor.model.paramCount} bytes); is it the right file?`);
    expect(weightsError(file(json.slice(0, 100), ".json"))).toMatch(/^FILE: loadParams: not valid JSON \(unexpected end of the file at line 2, column \d+\)$/);
    // The generated module's own checks, after the file name.
    const doc = JSON.parse(json) as { params: Record<string, { shape: unknown[]; data: unknown[] }> };
    doc.params["W1"]!.shape = ["8", "2"];
    expect(weightsError(file(JSON.stringify(doc), ".json"))).toBe(`FILE: loadParams: tensor 'W1' has shape ["8", "2"], expected [8, 2]`);
    doc.params["W1"]!.shape = [8, 2];
    doc.params["W1"]!.data[3] = "\u001b[2J";
    expect(weightsError(file(JSON.stringify(doc), ".json"))).toBe(`FILE: loadParams: tensor 'W1' data[3] is "\\u001b[2J", expected a finite number`);
    doc.params["W1"]!.data[3] = 0.5;
    doc.params["W1"]!.data.push(1);
    expect(weightsError(file(JSON.stringify(doc), ".json"))).toBe("FILE: loadParams: tensor 'W1' has 17 values, expected 16");
  });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function nnc(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NNC, ...args], { cwd: dir, env: { ...process.env, NNC_DEBUG: "" }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe("nnc train / evaluate with bad data: user errors, never internal ones", () => {
  // Weights for evaluate, written by each model's own saveParams.
  const weights: Record<string, string> = {};
  beforeAll(async () => {
    for (const name of ["parity", "iris", "iris_regularized"]) {
      const source = readFileSync(join(EXAMPLES, `${name}.nn`), "utf8");
      writeFileSync(join(dir, `${name}.nn`), source);
      const { mod } = await compileAndImport(source, `${name}.nn`);
      weights[name] = file(mod.saveParams(mod.init(1)), ".json");
    }
  });

  it("[D6] targets out of range for the loss, in train and evaluate, in --data and --test", async () => {
    const parity = file("x,y\n0,0\n2,1\n4,2\n");
    const oneHot = file("x0,x1,x2,x3,y0,y1,y2\n1,2,3,4,1,0,0\n1,2,3,4,0,1,1\n");
    const sparse = file("x0,x1,x2,x3,species\n1,2,3,4,0\n1,2,3,4,1.5\n");
    const good = file("x,y\n0,0\n2,1\n");
    const cases: { args: string[]; stderr: RegExp }[] = [];
    // Each loss kind once, in both commands between them (the rule itself is checked exhaustively above).
    const w = (command: string, model: string) => (command === "evaluate" ? ["--weights", weights[model]!] : ["--epochs", "1"]);
    for (const command of ["train", "evaluate"]) {
      cases.push({ args: [command, "parity.nn", "--data", parity, ...w(command, "parity")], stderr: /^nnc: error: .*:4: row 3, column 2 \('y'\): 2 is out of range; binary_crossentropy needs targets from 0 to 1\n$/ });
    }
    cases.push({ args: ["evaluate", "iris.nn", "--data", oneHot, ...w("evaluate", "iris")], stderr: /^nnc: error: .*:3: row 2: the targets y0, y1, y2 sum to 2; categorical_crossentropy needs/ });
    cases.push({ args: ["train", "iris_regularized.nn", "--data", sparse, "--labels", "onehot", ...w("train", "iris_regularized")], stderr: /^nnc: error: .*:3: row 2, column 5 \('species'\): 1\.5 is not a class index \(0\.\.2\)/ });
    cases.push({ args: ["train", "parity.nn", "--data", good, "--test", parity, "--epochs", "1"], stderr: /^nnc: error: .*:4: row 3, column 2 \('y'\): 2 is out of range/ });
    const runs = await Promise.all(cases.map((c) => nnc(c.args)));
    runs.forEach((run, i) => {
      expect({ args: cases[i]!.args.join(" "), code: run.code }).toEqual({ args: cases[i]!.args.join(" "), code: 1 });
      expect(run.stderr).toMatch(cases[i]!.stderr);
    });
  });

  it("[D1] --data constructor, toString, __proto__: a clean error in train, evaluate and predict", async () => {
    const cases = [
      ["train", "parity.nn", "--data", "constructor", "--epochs", "1"],
      ["evaluate", "parity.nn", "--weights", weights["parity"]!, "--data", "toString"],
      ["predict", "parity.nn", "--weights", weights["parity"]!, "--data", "__proto__"],
      ["train", "parity.nn", "--data", file("x,y\n0,0\n2,1\n"), "--test", "hasOwnProperty", "--epochs", "1"],
    ];
    const runs = await Promise.all(cases.map((args) => nnc(args)));
    runs.forEach((run, i) => {
      const name = cases[i]!.includes("--test") ? cases[i]![cases[i]!.indexOf("--test") + 1] : cases[i]![cases[i]!.indexOf("--data") + 1];
      expect({ args: cases[i]!.join(" "), code: run.code, stderr: run.stderr }).toEqual({
        args: cases[i]!.join(" "),
        code: 1,
        stderr: `nnc: error: cannot read data '${name}': expected a .csv, .tsv, .jsonl or .ndjson file, or a built-in data set (iris, mnist)\n`,
      });
    });
  });

  it("[D4] quoted cells and names reach the terminal escaped and cut, whatever their size", async () => {
    const clear = "\u001b[2J\u001b[H";
    const clipboard = "\u001b]52;c;bm5jIHdhcyBoZXJl\u0007";
    const long = "9".repeat(8 * 1024 * 1024);
    const files = [
      file(`x,y\n${clear},0\n`),
      file(`x,y\n0,${long}x\n`),
      file(`x,${clear}\n0,1\n`), // a hostile column name (the header of a file whose columns do not fit)
      file(`{"x": 0, "y": 0}\n{"x": 0, "y": 0, "${clipboard.replace("\u001b", "\\u001b").replace("\u0007", "\\u0007")}": 1}\n`, ".jsonl"),
    ];
    const runs = await Promise.all(files.map((f) => nnc(["evaluate", "parity.nn", "--weights", weights["parity"]!, "--data", f, "--inputs", "x", "--targets", "y"])));
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^nnc: error: /);
      expect(run.stderr.length).toBeLessThan(400);
      // Nothing but printable text and the final newline.
      expect(run.stderr.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
    expect(runs[0]!.stderr).toContain("'\\u001b[2J\\u001b[H' is not a number");
    expect(runs[1]!.stderr).toContain(`'${"9".repeat(32)}…' (${long.length + 1} characters) is not a number`);
    expect(runs[2]!.stderr).toContain("has no column 'y' (its columns: x, \\u001b[2J\\u001b[H)");
    expect(runs[3]!.stderr).toContain("unexpected key '\\u001b]52;c;bm5jIHdhcyBoZXJl\\u0007' (the first line does not have it)");
  });

  it("[D9] /dev/zero as data or weights, and a model file that never ends, are refused (no crash)", async () => {
    const zeroCsv = join(dir, "zero-data.csv");
    symlinkSync("/dev/zero", zeroCsv);
    const zeroNn = join(dir, "zero.nn");
    symlinkSync("/dev/zero", zeroNn);
    const good = file("x,y\n0,0\n2,1\n");
    const runs = await Promise.all([
      nnc(["evaluate", "parity.nn", "--weights", "/dev/zero", "--data", good]),
      nnc(["train", "parity.nn", "--weights", weights["parity"]!, "--data", zeroCsv]),
      nnc([zeroNn, "-o", join(dir, "zero.ts")]),
    ]);
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(runs[0]!.stderr).toBe("nnc: error: /dev/zero: loadParams: not valid JSON (unexpected character U+0000 at line 1, column 1)\n");
    expect(runs[1]!.stderr).toBe(`nnc: error: ${zeroCsv}:1: a NUL character (byte 0): this is not a text file\n`);
    expect(runs[2]!.stderr).toBe(`nnc: error: cannot read '${zeroNn}': it is larger than 64 MB; is it the right file?\n`);
  });

  it("reads a weights file with a byte-order mark, and a CSV file without a header as data from its first line", async () => {
    const bom = file(`\ufeff${readFileSync(weights["parity"]!, "utf8")}`, ".json");
    const headerless = file("0,0\n2,1\n4,1\n");
    const withHeader = file("x,y\n0,0\n2,1\n4,1\n");
    const [a, b] = await Promise.all([nnc(["evaluate", "parity.nn", "--weights", bom, "--data", headerless]), nnc(["evaluate", "parity.nn", "--weights", weights["parity"]!, "--data", withHeader])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^Evaluate on 3 rows of .*: loss: /);
    // The same three rows, the same numbers: the first line was data, not a header.
    expect(a.stdout.replace(headerless, "F")).toBe(b.stdout.replace(withHeader, "F"));
  });
});
