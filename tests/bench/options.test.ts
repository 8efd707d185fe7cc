// `npm run bench`'s command line (bench/options.ts): a subset of the workloads, without tfjs, or a
// smoke run; a misspelt workload or option is an error naming it, never a silent full run.

import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "../../bench/options.js";

const NAMES = ["parity", "xor", "mnist32", "mnist1", "mnistsgd"];

describe("bench options", () => {
  it("no options: every workload, tfjs, the whole work", () => {
    expect(parseBenchArgs([], NAMES)).toEqual({ tfjs: true, quick: false });
  });

  it("--only keeps the order given and drops repeats; --no-tfjs and --quick", () => {
    expect(parseBenchArgs(["--only", "mnistsgd,parity,xor,parity", "--no-tfjs"], NAMES)).toEqual({ only: ["mnistsgd", "parity", "xor"], tfjs: false, quick: false });
    expect(parseBenchArgs(["--only=xor", "--quick"], NAMES)).toEqual({ only: ["xor"], tfjs: true, quick: true });
  });

  it("BENCH_QUICK=1 is --quick", () => {
    expect(parseBenchArgs([], NAMES, { BENCH_QUICK: "1" })).toEqual({ tfjs: true, quick: true });
    expect(parseBenchArgs([], NAMES, { BENCH_QUICK: "0" })).toEqual({ tfjs: true, quick: false });
  });

  it("an unknown workload is named with the list of workloads", () => {
    expect(parseBenchArgs(["--only", "parity,mnist-sgd1"], NAMES)).toEqual({ error: '--only: no workload named "mnist-sgd1" (the workloads: parity, xor, mnist32, mnist1, mnistsgd)' });
  });

  it("--only without names, and unknown options, are errors", () => {
    for (const args of [["--only"], ["--only="], ["--only", ","], ["--only", ""]]) {
      expect(parseBenchArgs(args, NAMES)).toEqual({ error: "--only needs a comma-separated list of workload names" });
    }
    expect(parseBenchArgs(["--onyl", "xor"], NAMES)).toEqual({ error: 'unknown option "--onyl"' });
    expect(parseBenchArgs(["xor"], NAMES)).toEqual({ error: 'unknown option "xor"' });
  });
});
