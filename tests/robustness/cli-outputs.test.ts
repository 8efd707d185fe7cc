// Where `nnc` writes, end to end (subprocesses, every command with an output: compile -o,
// train --save/--plot, predict -o, graph -o):
//   - a device, a FIFO and `-` are written in place, a symbolic link's target is replaced and
//     the link stays, a file keeps its mode;
//   - an output that is the same file as an input or another output is refused before any work,
//     however it is spelled (hard link, symbolic link, `./`), and nothing on disk changes;
//   - an output that can never be written is reported before any work (before training starts:
//     train prints nothing on stdout), not after the run.

import { execFileSync, spawn } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { compile } from "../../compiler/compile.js";
import { compileAndImport } from "../helpers/generated.js";
import { blobRows, HERE, runNnc, tempDir, toCsv } from "../cli-train/helpers.js";

const isRoot = process.getuid?.() === 0;
const BLOBS = join(HERE, "blobs.nn");
let dir = "";
let moduleCode = "";

/** Reads a FIFO in a child process (so a writer that never comes cannot block this one). */
function readFifo(path: string): Promise<string> {
  const reader = spawn("cat", [path], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  reader.stdout.setEncoding("utf8").on("data", (c: string) => (text += c));
  const timer = setTimeout(() => reader.kill(), 50_000);
  return new Promise((resolve) =>
    reader.on("close", () => {
      clearTimeout(timer);
      resolve(text);
    }),
  );
}

/** Every entry under `dir` with its kind, size, mode and mtime, to prove a refused run changed nothing. */
function snapshot(): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((name) => {
      const s = lstatSync(join(dir, name));
      return `${name} ${s.isSymbolicLink() ? "link" : s.isFIFO() ? "fifo" : s.isDirectory() ? "dir" : s.size} ${(s.mode & 0o7777).toString(8)} ${s.mtimeMs}`;
    })
    .sort();
}

beforeAll(async () => {
  dir = tempDir("outputs");
  copyFileSync(BLOBS, join(dir, "blobs.nn"));
  writeFileSync(join(dir, "bad.nn"), "model bad\ninput x[2]\ntarget y[1]\nout = dense(x, 1)\nloss mse(out, z)\n");
  writeFileSync(join(dir, "d.csv"), toCsv(["x0", "x1", "y"], blobRows(16)));
  writeFileSync(join(dir, "t.csv"), toCsv(["x0", "x1", "y"], blobRows(8, 100)));
  const source = readFileSync(BLOBS, "utf8");
  const { mod } = await compileAndImport(source, "blobs.nn", { format: false });
  writeFileSync(join(dir, "w.json"), mod.saveParams(mod.init(0)));
  writeFileSync(join(dir, "broken.json"), "{ not json");
  moduleCode = (await compile(source, "blobs.nn")).code;
});

afterAll(() => {
  if (existsSync(join(dir, "locked"))) chmodSync(join(dir, "locked"), 0o700);
  rmSync(dir, { recursive: true, force: true });
});

describe("outputs that are not plain files", () => {
  it("every command writes devices, FIFOs and - in place, follows links and keeps modes", async () => {
    const at = (name: string) => join(dir, name);
    if (isRoot) execFileSync("mknod", [at("mynull"), "c", "1", "3"]);
    else symlinkSync("/dev/null", at("mynull"));
    for (const fifo of ["module-fifo", "weights-fifo", "graph-fifo.dot"]) execFileSync("mkfifo", [at(fifo)]);
    writeFileSync(at("target.ts"), "old\n");
    symlinkSync("target.ts", at("link.ts"));
    symlinkSync("curve-target.svg", at("curve-link.svg")); // dangling: the run creates the target
    writeFileSync(at("graph-target.svg"), "old\n");
    symlinkSync("graph-target.svg", at("graph-link.svg"));
    for (const [name, mode] of [["private.ts", 0o600], ["private.csv", 0o640]] as const) {
      writeFileSync(at(name), "secret\n");
      chmodSync(at(name), mode);
    }
    const [nullRun, fifoRun, fifoText, linkRun, privateRun, stdoutRun, trainRun, weightsText, predictRun, predictStdoutRun, graphRun, graphFifoRun, graphFifoText] = await Promise.all([
      runNnc(["blobs.nn", "-o", "mynull"], dir),
      runNnc(["blobs.nn", "-o", "module-fifo"], dir),
      readFifo("module-fifo"),
      runNnc(["blobs.nn", "-o", "link.ts"], dir),
      runNnc(["blobs.nn", "-o", "private.ts"], dir),
      runNnc(["blobs.nn", "-o", "-"], dir),
      runNnc(["train", "blobs.nn", "--data", "d.csv", "--epochs", "1", "--save", "weights-fifo", "--plot", "curve-link.svg"], dir),
      readFifo("weights-fifo"),
      runNnc(["predict", "blobs.nn", "--weights", "w.json", "--data", "d.csv", "-o", "private.csv"], dir),
      runNnc(["predict", "blobs.nn", "--weights", "w.json", "--data", "d.csv", "-o", "-"], dir),
      runNnc(["graph", "blobs.nn", "-o", "graph-link.svg"], dir),
      runNnc(["graph", "blobs.nn", "-o", "graph-fifo.dot"], dir),
      readFifo("graph-fifo.dot"),
    ]);
    for (const run of [nullRun, fifoRun, linkRun, privateRun, stdoutRun, trainRun, predictRun, predictStdoutRun, graphRun, graphFifoRun]) expect(run.stderr).not.toMatch(/error/);
    expect(lstatSync(at("mynull")).isCharacterDevice() || lstatSync(at("mynull")).isSymbolicLink()).toBe(true);
    expect(lstatSync(at("module-fifo")).isFIFO()).toBe(true);
    expect(fifoText).toBe(moduleCode);
    expect(lstatSync(at("link.ts")).isSymbolicLink()).toBe(true);
    expect(readFileSync(at("target.ts"), "utf8")).toBe(moduleCode);
    expect(statSync(at("private.ts")).mode & 0o7777).toBe(0o600);
    expect(readFileSync(at("private.ts"), "utf8")).toBe(moduleCode);
    expect(stdoutRun.stdout).toBe(moduleCode);
    expect(stdoutRun.stderr).toMatch(/^nnc: blobs\.nn -> standard output \(/);
    // train: the weights through the FIFO, the curve through the link.
    expect(lstatSync(at("weights-fifo")).isFIFO()).toBe(true);
    expect(JSON.parse(weightsText)).toMatchObject({ model: "blobs" });
    expect(lstatSync(at("curve-link.svg")).isSymbolicLink()).toBe(true);
    expect(readFileSync(at("curve-target.svg"), "utf8")).toMatch(/^<svg/);
    // predict: the file keeps its mode and holds what -o - prints.
    expect(statSync(at("private.csv")).mode & 0o7777).toBe(0o640);
    expect(predictStdoutRun.stdout).toMatch(/^out\n0\.\d+\n/);
    expect(readFileSync(at("private.csv"), "utf8")).toBe(predictStdoutRun.stdout);
    // graph: through a link, and into a FIFO.
    expect(lstatSync(at("graph-link.svg")).isSymbolicLink()).toBe(true);
    expect(readFileSync(at("graph-target.svg"), "utf8")).toMatch(/<svg/);
    expect(graphFifoText).toMatch(/^digraph "blobs" \{/);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("outputs that are an input or another output", () => {
  it("[C3] are refused before any work, however they are spelled, changing nothing", async () => {
    linkSync(join(dir, "d.csv"), join(dir, "d-hard.csv"));
    symlinkSync("d.csv", join(dir, "d-link.csv"));
    symlinkSync("blobs.nn", join(dir, "model-link.svg"));
    const before = snapshot();
    const train = ["train", "blobs.nn", "--data", "d.csv", "--epochs", "1"];
    const predict = ["predict", "blobs.nn", "--weights", "w.json", "--data", "d.csv"];
    const cases: [string[], string][] = [
      [[...train, "--save", "d.csv"], "--save 'd.csv' is the same file as --data 'd.csv'"],
      [[...train, "--save", "./d.csv"], "--save './d.csv' is the same file as --data 'd.csv'"],
      [[...train, "--save", "d-hard.csv"], "--save 'd-hard.csv' is the same file as --data 'd.csv'"],
      [[...train, "--plot", "d-link.csv"], "--plot 'd-link.csv' is the same file as --data 'd.csv'"],
      [[...train, "--test", "t.csv", "--plot", "t.csv"], "--plot 't.csv' is the same file as --test 't.csv'"],
      [[...train, "--weights", "w.json", "--save", "w.json"], "--save 'w.json' is the same file as --weights 'w.json'"],
      [[...train, "--save", "same.json", "--plot", "same.json"], "--plot 'same.json' is the same file as --save 'same.json'"],
      [[...train, "--save", "blobs.nn"], "--save 'blobs.nn' is the same file as the model file 'blobs.nn'"],
      [[...predict, "-o", "d.csv"], "-o 'd.csv' is the same file as --data 'd.csv'"],
      [[...predict, "-o", "w.json"], "-o 'w.json' is the same file as --weights 'w.json'"],
      [["blobs.nn", "-o", "model-link.svg"], "-o 'model-link.svg' is the same file as the model file 'blobs.nn'"],
      [["graph", "blobs.nn", "-o", "model-link.svg"], "-o 'model-link.svg' is the same file as the model file 'blobs.nn'"],
    ];
    const runs = await Promise.all(cases.map(([args]) => runNnc(args, dir)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i]!;
      expect({ args: args.join(" "), stderr: run.stderr, stdout: run.stdout, code: run.code }).toEqual({
        args: args.join(" "),
        stderr: `nnc: error: ${message}; choose another name\n`,
        stdout: "",
        code: 1,
      });
    });
    expect(snapshot()).toEqual(before);
  });
});

describe("outputs that can never be written", () => {
  it("[C2] are reported before any work by every command (train prints nothing; a model or weights error comes second)", async () => {
    mkdirSync(join(dir, "locked"));
    chmodSync(join(dir, "locked"), 0o500);
    // Root ignores file modes; /sys refuses new files even to root.
    const unwritable = isRoot ? (existsSync("/sys/kernel") ? "/sys/kernel/nnc-test" : "") : "locked/out";
    const before = snapshot();
    const train = ["train", "blobs.nn", "--data", "d.csv", "--epochs", "1000"];
    const cases: [string[], RegExp][] = [
      [[...train, "--save", "missing/w.json"], /^cannot write 'missing\/w\.json': the folder 'missing' does not exist$/],
      [[...train, "--plot", "blobs.nn/curve.svg"], /^cannot write 'blobs\.nn\/curve\.svg': a part of the path is not a folder \(ENOTDIR\)$/],
      [[...train, "--save", "locked"], /^cannot write 'locked': it is a directory$/],
      [["bad.nn", "-o", "missing/out.ts"], /^cannot write 'missing\/out\.ts': the folder 'missing' does not exist$/],
      [["predict", "blobs.nn", "--weights", "broken.json", "--data", "d.csv", "-o", "missing/p.csv"], /^cannot write 'missing\/p\.csv': the folder 'missing' does not exist$/],
      [["graph", "bad.nn", "-o", "missing/g.svg"], /^cannot write 'missing\/g\.svg': the folder 'missing' does not exist$/],
    ];
    if (unwritable) {
      cases.push([[...train, "--save", `${unwritable}.json`], /^cannot write '.*\.json': permission denied \(EACCES\)$/]);
      cases.push([["bad.nn", "-o", `${unwritable}.ts`], /^cannot write '.*\.ts': permission denied \(EACCES\)$/]);
    }
    const runs = await Promise.all(cases.map(([args]) => runNnc(args, dir)));
    runs.forEach((run, i) => {
      const [args, message] = cases[i]!;
      expect({ args: args.join(" "), code: run.code, stdout: run.stdout }).toEqual({ args: args.join(" "), code: 1, stdout: "" });
      expect(run.stderr.replace(/^nnc: error: /, "").trimEnd()).toMatch(message);
    });
    expect(snapshot()).toEqual(before);
  });

  it("[C8] train refuses - for --save and --plot (its progress goes to standard output)", async () => {
    const run = await runNnc(["train", "blobs.nn", "--data", "d.csv", "--save", "-"], dir);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 1,
      stdout: "",
      stderr: "nnc: error: --save -: nnc train prints its progress on standard output; give --save a file name\n",
    });
  });
});
