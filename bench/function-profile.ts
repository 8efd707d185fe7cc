// Where a generated module's training step spends its time, per function: the step runs under
// V8's sampling profiler (node:inspector) for self time per function, and once through a copy of
// the module whose matrix-product loops count their multiply-adds (every `accK += aI * bJ;` of the
// register tiles ops/gemm.ts writes), so that each product function gets a measured flop count and
// hence a GFLOP/s. Used by bench/cnn-bench.ts for RESULTS.md.
//
//   const rows = await functionProfile(file, (mod) => () => trainer.step(X, Y, 32), 2);
//   // [{ fn: "gradRows_2", what: "c2 = conv2d(…) (over the batch)", msPerCall, share, flopsPerCall }, …]

import { Session } from "node:inspector/promises";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

export interface FunctionTime {
  fn: string;
  /** The comment on the function's first line (what it computes), if any. */
  what: string;
  /** Self time per call of the step. */
  msPerCall: number;
  share: number;
  /** Multiply-adds × 2 per call of the step (0 for functions that are not matrix products). */
  flopsPerCall: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
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

/** What each top-level function's first comment says. */
function descriptions(code: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of code.matchAll(/^function (\w+)\([^\n]*\n\s*\/\/ ([^\n]*)/gm)) out.set(m[1]!, m[2]!.trim());
  return out;
}

export async function functionProfile(file: string, makeStep: (mod: unknown) => () => void, seconds: number): Promise<FunctionTime[]> {
  const code = readFileSync(file, "utf8");
  const counting = file.replace(/\.ts$/, "-counting.ts");
  writeFileSync(counting, countingCopy(code));
  const counted = (await import(pathToFileURL(counting).href)) as { __macs: Record<string, number> };
  makeStep(counted)();
  const flopsPerCall = new Map(Object.entries(counted.__macs).map(([k, v]) => [k, 2 * v]));
  rmSync(counting, { force: true });

  const step = makeStep(await import(pathToFileURL(file).href));
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

  const url = pathToFileURL(file).href;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id)!;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const name = node.callFrame.url === url && node.callFrame.functionName ? node.callFrame.functionName : node.callFrame.functionName === "(garbage collector)" ? "(garbage collector)" : "(other)";
    if (name === "(other)" && node.callFrame.functionName === "(idle)") return;
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
    totalUs += delta;
  });
  const what = descriptions(code);
  return [...selfUs]
    .map(([fn, us]) => ({ fn, what: what.get(fn) ?? "", msPerCall: us / 1000 / calls, share: us / totalUs, flopsPerCall: flopsPerCall.get(fn) ?? 0 }))
    .sort((a, b) => b.msPerCall - a.msPerCall);
}
