// The parts of bench/RESULTS.md that compare nnc with its fastest peer: per workload, what the
// library peers compute instead of the workload and who is fastest, and the targets of issue 15
// (tiny models at least 2× the fastest peer; MNIST SGD batch 1 against the per-sample ceiling and
// the hand-written loops; MNIST batch 32 no slower than before) with how far each one is.

import type { Outcome, Row } from "./report.js";

/** Results that are nnc itself or a yardstick rather than a peer (nnc's WebAssembly rows: report-wasm.ts' nncWasmRow). */
const NOT_PEERS = new Set(["nnc fit", "nnc step", "nnc wasm f64 step", "nnc wasm f32 step", "ceiling"]);

/** MNIST batch 32 before issue 15 (bench/RESULTS.md at 5dd5307): nnc step / plain JS. */
const MNIST32_BEFORE = { commit: "5dd5307", stepOverPlain: 3.0 };

const f = (x: number, d = 2) => x.toFixed(d);
const int = (x: number) => Math.round(x).toLocaleString("en-US");

/** A result's samples per second (over the samples it trained on, which may be fewer than the workload's). */
export const samplesOf = (row: Row, o: Outcome) => o.samples ?? row.samples;
export const rateOf = (row: Row, name: string) => samplesOf(row, row.results[name]!) / row.results[name]!.seconds;

export function fastestPeer(row: Row): { name: string; rate: number } | undefined {
  let best: { name: string; rate: number } | undefined;
  for (const name of Object.keys(row.results)) {
    if (NOT_PEERS.has(name)) continue;
    const rate = rateOf(row, name);
    if (!best || rate > best.rate) best = { name, rate };
  }
  return best;
}

/** Lines under a workload's table: what the library peers compute, the fastest peer, nnc's ratios. */
export function peerNotes(row: Row): string[] {
  const out: string[] = [];
  const different = Object.entries(row.results).filter(([, o]) => o.computes);
  if (different.length > 0) {
    out.push("", "Peers that cannot run this workload exactly run the closest thing they can (their loss is not the workload's: accuracy only):", "");
    for (const [name, o] of different) {
      const trained = o.samples !== undefined && o.samples !== row.samples ? ` (${int(o.samples)} samples)` : "";
      out.push(`- **${name}**${trained}: ${o.computes}.`);
    }
  }
  const best = fastestPeer(row);
  if (best) {
    const ratio = (name: string) => f(rateOf(row, name) / best.rate, 2);
    out.push("", `Fastest peer: **${best.name}** (${int(best.rate)} samples/s). nnc step / ${best.name}: **${ratio("nnc step")}×**; nnc fit / ${best.name}: ${ratio("nnc fit")}×.`);
  }
  if (row.results["ceiling"]) {
    const c = rateOf(row, "ceiling");
    out.push(`Against the per-sample ceiling (${int(c)} samples/s): nnc step **${f((100 * rateOf(row, "nnc step")) / c, 1)}%**, plain JS fused ${f((100 * rateOf(row, "plain JS fused")) / c, 1)}%, plain JS ${f((100 * rateOf(row, "plain JS")) / c, 1)}%.`);
  }
  return out;
}

/** The targets of issue 15, measured in this run. */
export function issue15Targets(rows: Row[]): string[] {
  const row = (name: string) => rows.find((x) => x.workload.name === name);
  const targets: [string, number, number, string][] = [];
  for (const name of ["parity", "xor"]) {
    const r = row(name);
    const best = r && fastestPeer(r);
    if (r && best) targets.push([`${name}: nnc step / fastest peer (${best.name})`, rateOf(r, "nnc step") / best.rate, 2, "×"]);
  }
  const sgd = row("mnistsgd");
  if (sgd?.results["ceiling"]) {
    targets.push(["MNIST SGD batch 1: nnc step / per-sample ceiling", rateOf(sgd, "nnc step") / rateOf(sgd, "ceiling"), 0.6, "%"]);
    targets.push(["MNIST SGD batch 1: nnc step / hand-written loops (plain JS)", rateOf(sgd, "nnc step") / rateOf(sgd, "plain JS"), 2.5, "×"]);
  }
  const m32 = row("mnist32");
  if (m32) targets.push([`MNIST batch 32: nnc step / plain JS, no lower than before issue 15 (${f(MNIST32_BEFORE.stepOverPlain, 1)}× at ${MNIST32_BEFORE.commit})`, rateOf(m32, "nnc step") / rateOf(m32, "plain JS"), MNIST32_BEFORE.stepOverPlain, "×"]);
  const out = ["", "## Targets (issue 15)", "", "Ratios of rates measured in this run (nnc step: `createTrainer(params).step` over the workload's batches).", "", "| target | measured | goal | met |", "| --- | --- | --- | --- |"];
  for (const [what, value, goal, unit] of targets) {
    const shown = unit === "%" ? `${f(100 * value, 1)}%` : `${f(value, 2)}×`;
    const goalShown = unit === "%" ? `≥ ${f(100 * goal, 0)}%` : `≥ ${goal}×`;
    out.push(`| ${what} | ${shown} | ${goalShown} | ${value >= goal ? "yes" : `no (${f(value / goal, 2)} of the goal)`} |`);
  }
  const missed = ["parity", "xor"].flatMap((name) => {
    const r = row(name);
    const best = r && fastestPeer(r);
    return r && best && rateOf(r, "nnc step") < 2 * best.rate ? [{ name, nnc: 1e9 / rateOf(r, "nnc step"), peer: 1e9 / best.rate, peerName: best.name }] : [];
  });
  if (missed.length > 0) {
    out.push(
      "",
      `Why the tiny models miss: ${missed.map((m) => `${m.name} takes ${f(m.nnc, 0)} ns per sample in nnc's step, ${m.peerName} ${f(m.peer, 0)} ns`).join("; ")}.`,
      "At these sizes a step is one call of straight-line code on a few dozen numbers, beside the trainer's fixed cost per call",
      "(checking the row count and the arrays' lengths, reading the optimizer's state, reporting the norm); and synaptic runs a",
      "cheaper update than the workload's (no Adam, no momentum: listed under each table). Twice its rate would need the whole step,",
      "checks included, in half the time it takes now: not reached.",
    );
  }
  if (sgd?.results["plain JS fused"]) {
    out.push(
      "",
      "The hand-written loops of the target are taken to be *plain JS* (bench/peers/plain.ts: per-sample loops, then the optimizer as a pass of its own).",
      `*plain JS fused* does what the ceiling does, in loops over any dense network: nnc step / plain JS fused is ${f(rateOf(sgd, "nnc step") / rateOf(sgd, "plain JS fused"), 2)}× on MNIST SGD batch 1.`,
    );
  }
  out.push(
    "",
    "MNIST batch 32 against its own past is only as good as the ratio's run-to-run spread (this machine's speed drifts by up to 2×):",
    "`npm run bench:compare -- 5dd5307` times the two compilers' modules interleaved in one run, which is the direct check.",
  );
  return out;
}
