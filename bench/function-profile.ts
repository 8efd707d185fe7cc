// Where a generated module's training step spends its time, per function: the module is
// transpiled to JavaScript (comments kept), the step runs under V8's sampling profiler
// (node:inspector) for self time per function, and the time inside a function that is not a matrix
// product (the row loops between products) is split by the comment that heads each block (the
// model line it computes). A copy of the module whose matrix-product loops count their multiply-adds
// (every `accK += aI * bJ;` of the register tiles ops/gemm.ts writes) gives each product function a
// measured flop count, hence a GFLOP/s. A `--kernels wasm` module's WebAssembly functions are
// listed as "wasm NAME" by their export names (their flops are not counted). Used by
// bench/cnn-bench.ts and bench/run.ts for RESULTS.md.
//
//   const rows = await functionProfile(file, (mod) => () => trainer.step(X, Y, 32), 3);
//   // [{ fn: "gradRows_2", what: "c2 = conv2d(…) (over the batch)", msPerCall, share, flopsPerCall, blocks }, …]

import { Session } from "node:inspector/promises";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { ts } from "ts-morph";

export interface FunctionTime {
  fn: string;
  /** The comment on the function's first line (what it computes), if any. */
  what: string;
  /** Self time per call of the step. */
  msPerCall: number;
  share: number;
  /** Multiply-adds × 2 per call of the step (0 for functions that are not matrix products). */
  flopsPerCall: number;
  /** A function without products: its self time per block (by the comment heading the block). */
  blocks: { what: string; msPerCall: number }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  positionTicks?: { line: number; ticks: number }[];
}

/** The module with a multiply-add counter per function (exported as `__macs`). */
function countingCopy(code: string): string {
  let fn = "";
  const lines = code.split("\n").map((line) => {
    const f = /^function (\w+)\(/.exec(line);
    if (f) fn = f[1]!;
    return /^\s*acc\d+ \+= a\d+ \* b\d+;$/.test(line) ? `${line} __macs["${fn}"] = (__macs["${fn}"] ?? 0) + 1;` : line;
  });
  return `${lines.join("\n")}\nexport const __macs: Record<string, number> = {};\n`;
}

function toJs(code: string, file: string): string {
  writeFileSync(file, ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText);
  return file;
}

/** For each line of the JavaScript: the function it is in and the latest comment above it there. */
function lineContext(js: string): { fn: string; comment: string }[] {
  let fn = "";
  let comment = "";
  return js.split("\n").map((line) => {
    const f = /^function (\w+)\(/.exec(line);
    if (f) [fn, comment] = [f[1]!, ""];
    const c = /^\s*\/\/ (.*)$/.exec(line);
    if (c) comment = c[1]!.trim();
    return { fn, comment };
  });
}

/** The export names of the module's WebAssembly code (embedded as base64 by wasmCode()), by function index. */
function wasmExports(js: string): string[] {
  const body = /function wasmCode\(\) \{\s*return \(?([^;]*?)\)?;/.exec(js);
  if (!body) return [];
  const base64 = [...body[1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]).join("");
  return WebAssembly.Module.exports(new WebAssembly.Module(Buffer.from(base64, "base64"))).map((e) => e.name);
}

export async function functionProfile(file: string, makeStep: (mod: unknown) => () => void, seconds: number): Promise<FunctionTime[]> {
  const code = readFileSync(file, "utf8");
  const countingFile = toJs(countingCopy(code), file.replace(/\.ts$/, "-counting.mjs"));
  const counted = (await import(pathToFileURL(countingFile).href)) as { __macs: Record<string, number> };
  makeStep(counted)();
  const flopsPerCall = new Map(Object.entries(counted.__macs).map(([k, v]) => [k, 2 * v]));
  rmSync(countingFile, { force: true });

  const jsFile = toJs(code, file.replace(/\.ts$/, "-profiled.mjs"));
  const js = readFileSync(jsFile, "utf8");
  const step = makeStep(await import(pathToFileURL(jsFile).href));
  for (let i = 0; i < 20; i++) step();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  let calls = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    step();
    calls++;
  }
  const { profile } = (await session.post("Profiler.stop")) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
  session.disconnect();
  rmSync(jsFile, { force: true });

  const url = pathToFileURL(jsFile).href;
  const exportsOf = wasmExports(js);
  const wasmName = (functionName: string) => `wasm ${exportsOf[Number(/\[(\d+)\]/.exec(functionName)?.[1] ?? NaN)] ?? functionName}`;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)!.callFrame;
    if (frame.functionName === "(idle)" || frame.functionName === "(program)") return;
    const name =
      frame.url === url && frame.functionName
        ? frame.functionName
        : frame.url.startsWith("wasm://") && frame.functionName.startsWith("wasm-function")
          ? wasmName(frame.functionName)
          : frame.functionName === "(garbage collector)"
            ? frame.functionName
            : frame.functionName.startsWith("js-to-wasm")
              ? "(js-to-wasm)"
              : "(other)";
    const delta = profile.timeDeltas[i + 1] ?? 0;
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
    totalUs += delta;
  });
  // Line ticks of the module's functions, grouped by block comment.
  const context = lineContext(js);
  const ticks = new Map<string, Map<string, number>>();
  for (const node of profile.nodes) {
    if (node.callFrame.url !== url) continue;
    for (const { line, ticks: t } of node.positionTicks ?? []) {
      const { fn, comment } = context[line - 1] ?? { fn: "", comment: "" };
      const blocks = ticks.get(fn) ?? new Map<string, number>();
      blocks.set(comment, (blocks.get(comment) ?? 0) + t);
      ticks.set(fn, blocks);
    }
  }
  const first = new Map<string, string>();
  for (const m of js.matchAll(/^function (\w+)\([^\n]*\n\s*\/\/ ([^\n]*)/gm)) first.set(m[1]!, m[2]!.trim());
  return [...selfUs]
    .map(([fn, us]) => {
      const ms = us / 1000 / calls;
      const blockTicks = [...(ticks.get(fn) ?? new Map<string, number>())];
      const all = blockTicks.reduce((s, [, t]) => s + t, 0);
      const flops = flopsPerCall.get(fn) ?? 0;
      const blocks = flops > 0 || blockTicks.length < 2 ? [] : blockTicks.map(([what, t]) => ({ what: what || "(before the first block)", msPerCall: (ms * t) / all })).sort((a, b) => b.msPerCall - a.msPerCall);
      return { fn, what: first.get(fn) ?? "", msPerCall: ms, share: us / totalUs, flopsPerCall: flops, blocks };
    })
    .sort((a, b) => b.msPerCall - a.msPerCall);
}
