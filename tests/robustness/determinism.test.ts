// Determinism: the same model gives byte-identical code, and the same seed identical training,
// in this process and in another one with a different time zone, locale, working directory and
// path spelling; the output holds no timestamp and no absolute path. A different seed must give
// different weights (so the comparison can fail). The same for a CNN (tests/explain/models/cnn.nn).

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { importCode } from "../helpers/generated.js";
import * as xor from "../../generated/xor.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NNC = join(ROOT, "bin/nnc.js");
const XOR_NN = join(ROOT, "dsl-examples/xor.nn");
const CNN_NN = join(ROOT, "tests/explain/models/cnn.nn");
const dir = mkdtempSync(join(tmpdir(), "nnc-determinism-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Another process, another environment: time zone, locale (Turkish: 'I'.toLowerCase() differs), cwd. */
const FOREIGN_ENV = { ...process.env, TZ: "Pacific/Chatham", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" };

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env: FOREIGN_ENV, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr });
    });
  });
}

const XS = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const YS = [[0], [1], [1], [0]];

function train(seed: number): { params: string; loss: number[] } {
  const params = xor.init(seed);
  const history = xor.fit(params, XS, YS, { epochs: 30, batchSize: 2, seed });
  return { params: xor.saveParams(params), loss: history.history.loss };
}

describe("determinism", () => {
  it("the CLI in another process and environment writes exactly what compile() returns", async () => {
    const source = readFileSync(XOR_NN, "utf8");
    const inProcess = (await compile(source, "xor.nn")).code;
    expect((await compile(source, "xor.nn")).code).toBe(inProcess);
    // From a folder elsewhere, naming the model by an absolute path.
    const out = join(dir, "xor.ts");
    const cli = await run([NNC, XOR_NN, "-o", out], dir);
    expect(cli.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(inProcess);
    // By a relative path with a detour, from the repository.
    const out2 = join(dir, "xor2.ts");
    const rel = relative(ROOT, XOR_NN).replace("dsl-examples/", "dsl-examples/../dsl-examples/");
    expect((await run([NNC, rel, "-o", out2], ROOT)).code).toBe(0);
    expect(readFileSync(out2, "utf8")).toBe(inProcess);
  });

  it("no absolute path, user name, host or timestamp in the output", async () => {
    const { code } = await compile(readFileSync(XOR_NN, "utf8"), XOR_NN);
    for (const text of [code, readFileSync(join(ROOT, "generated/xor.ts"), "utf8")]) {
      expect(text).not.toContain(ROOT);
      expect(text).not.toContain(ROOT.replace(/\/$/, ""));
      expect(text).not.toContain(tmpdir());
      if (process.env["HOME"]) expect(text).not.toContain(process.env["HOME"]);
      expect(text).not.toMatch(/\b(19|20)\d\d-[01]\d-[0-3]\d\b/); // ISO dates
      expect(text).not.toMatch(/\b\d\d:\d\d:\d\d\b/); // times
      expect(text).not.toContain(String(new Date().getFullYear()));
    }
  });

  it("the same seed trains to identical weights and losses, here and in another process", async () => {
    const a = train(7);
    const b = train(7);
    expect(b).toEqual(a);
    expect(train(8).params).not.toBe(a.params);
    const script = join(dir, "train.mts");
    writeFileSync(
      script,
      `import * as xor from ${JSON.stringify(join(ROOT, "generated/xor.ts"))};
const params = xor.init(7);
const history = xor.fit(params, ${JSON.stringify(XS)}, ${JSON.stringify(YS)}, { epochs: 30, batchSize: 2, seed: 7 });
process.stdout.write(JSON.stringify({ params: xor.saveParams(params), loss: history.history.loss }));
`,
    );
    const child = await run(["--import", "tsx", script], ROOT);
    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual(a);
  });

  it("a CNN compiles to the same bytes twice, in another process and environment too, and trains the same from the same seed", async () => {
    const source = readFileSync(CNN_NN, "utf8");
    for (const options of [{}, { batch: "never" as const }, { precision: "f32" as const }]) {
      const first = (await compile(source, "cnn.nn", options)).code;
      expect((await compile(source, "cnn.nn", options)).code).toBe(first);
    }
    const inProcess = (await compile(source, "tests/explain/models/cnn.nn")).code;
    const out = join(dir, "cnn.ts");
    const cli = await run([NNC, "tests/explain/models/cnn.nn", "-o", out], ROOT);
    expect(cli.code, cli.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(inProcess);
    // Training with dropout (masks from the seed): the same seed, the same weights; another seed, others.
    const mod = await importCode(inProcess);
    const xs = Array.from({ length: 12 }, (_, r) => Array.from({ length: 100 }, (_, i) => ((r * 31 + i * 17) % 23) / 23));
    const ys = xs.map((_, r) => [0, 1, 2].map((k) => (k === r % 3 ? 1 : 0)));
    const train = (seed: number) => {
      const params = mod.init(seed);
      mod.fit(params, xs, ys, { epochs: 2, batchSize: 4, seed });
      return mod.saveParams(params);
    };
    const a = train(3);
    expect(train(3)).toBe(a);
    expect(train(4)).not.toBe(a);
  });
});
