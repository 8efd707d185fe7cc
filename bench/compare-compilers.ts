// `npm run bench:compare -- REF`: the compiler at git REF against the working tree, side by
// side in one run, on the benchmark's workloads (bench/workloads.ts): each model is compiled by
// both, and both generated modules train the same batches from the same weights, the two
// interleaved round by round (best of several rounds each, so that the machine's drift hits
// them alike). Prints a table and writes it to bench/COMPARE.md. For changes to the middle of
// the compiler, which must not slow any workload.
//
//   npm run bench:compare -- d42ef91        # old checkout in a temporary git worktree

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../scripts/examples.js";
import { type Workload, sourceOf, workloads } from "./workloads.js";

interface Trainer {
  step(X: Float64Array, Y: Float64Array, n: number): number;
}
interface Generated {
  init(seed: number): Float64Array;
  createTrainer(p: Float64Array): Trainer;
  predict(p: Float64Array, x: ArrayLike<number>, out?: Float64Array): Float64Array;
}

const ref = process.argv[2];
if (!ref) {
  process.stderr.write("usage: npm run bench:compare -- GIT_REF\n");
  process.exit(2);
}
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 5);
const log = (s: string) => process.stderr.write(`${s}\n`);
const now = () => performance.now();

const work = mkdtempSync(join(tmpdir(), "nnc-compare-"));
const old = join(work, "old");
execFileSync("git", ["-C", ROOT, "worktree", "add", "--detach", old, ref], { stdio: "ignore" });
symlinkSync(join(ROOT, "node_modules"), join(old, "node_modules"));

/** Compiles with the compiler in `root` (through its CLI from the sources, as both are), timing it. */
function compileWith(root: string, example: Workload["example"], tag: string): { file: string; seconds: number } {
  const file = join(work, `${example}-${tag}.ts`);
  const t0 = now();
  execFileSync(process.execPath, [join(root, "bin/nnc.js"), join(ROOT, sourceOf(example)), "-o", file], { stdio: "ignore", env: { ...process.env, NNC_FROM_SOURCE: "1" } });
  return { file, seconds: (now() - t0) / 1000 };
}

/** Samples per second of one pass over a workload's batches with a module's trainer. */
function stepRate(mod: Generated, w: Workload, outSize: number): number {
  const trainer = mod.createTrainer(mod.init(w.seed));
  const t0 = now();
  for (let e = 0; e < w.epochs; e++) {
    for (let r = 0; r < w.rows; r += w.batch) {
      const n = Math.min(w.batch, w.rows - r);
      trainer.step(w.x.subarray(r * w.net.inputSize, (r + n) * w.net.inputSize), w.y.subarray(r * outSize, (r + n) * outSize), n);
    }
  }
  return (w.rows * w.epochs) / ((now() - t0) / 1000);
}

const rows: string[] = [];
try {
  for (const w of workloads()) {
    log(w.title);
    const outSize = w.net.layers[w.net.layers.length - 1]!.units;
    const built = { old: compileWith(old, w.example, "old"), new: compileWith(ROOT, w.example, "new") };
    const mods = {
      old: (await import(pathToFileURL(built.old.file).href)) as Generated,
      new: (await import(pathToFileURL(built.new.file).href)) as Generated,
    };
    const warm = { ...w, epochs: Math.max(1, Math.ceil(w.epochs / 20)), rows: Math.min(w.rows, 320) };
    stepRate(mods.old, warm, outSize);
    stepRate(mods.new, warm, outSize);
    const best = { old: 0, new: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always runs on a warmer or cooler machine.
      for (const k of round % 2 === 0 ? (["old", "new"] as const) : (["new", "old"] as const)) best[k] = Math.max(best[k], stepRate(mods[k], w, outSize));
    }
    const size = (f: string) => (readFileSync(f).length / 1024).toFixed(1);
    rows.push(
      `| ${w.title} | ${best.old.toFixed(0)} | ${best.new.toFixed(0)} | ${(best.new / best.old).toFixed(2)} | ${built.old.seconds.toFixed(2)} / ${built.new.seconds.toFixed(2)} | ${size(built.old.file)} / ${size(built.new.file)} |`,
    );
    log(`  old ${best.old.toFixed(0)} samples/s, new ${best.new.toFixed(0)} samples/s`);
  }
} finally {
  execFileSync("git", ["-C", ROOT, "worktree", "remove", "--force", old], { stdio: "ignore" });
  rmSync(work, { recursive: true, force: true });
}

const head = existsSync(join(ROOT, ".git")) ? execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]).toString().trim() : "?";
const text = [
  `# The compiler at ${ref} against the working tree (${head}), side by side`,
  ``,
  `\`npm run bench:compare -- ${ref}\`: the training step (\`createTrainer(params).step\`) of each workload's module as`,
  `each compiler generates it, best of ${ROUNDS} interleaved rounds; compile time is the CLI's wall time from the sources (tsx; dist/ is faster).`,
  ``,
  `| workload | ${ref} samples/s | now samples/s | now / ${ref} | compile s (${ref} / now) | KB (${ref} / now) |`,
  `| --- | ---: | ---: | ---: | ---: | ---: |`,
  ...rows,
  ``,
].join("\n");
writeFileSync(join(ROOT, "bench/COMPARE.md"), text);
process.stdout.write(text);
