// The command line of `npm run bench` (run.ts): which workloads and peers run, and how much.
// A full run (no options) writes bench/RESULTS.md; a partial or quick run prints its tables to
// stdout instead, so that a subset never overwrites the committed results.
//
//   npm run bench -- --only parity,xor,mnistsgd --no-tfjs   # issue 15's workloads, ~2 minutes
//   npm run bench -- --quick                                 # smoke run: 1% of the work

export interface BenchOptions {
  /** The workloads to run (bench/workloads.ts names), in the order given; undefined: all. */
  only?: string[];
  /** Whether TensorFlow.js runs, on its cpu and (MNIST) wasm backends (its runs of the tiny models take most of a full run). */
  tfjs: boolean;
  /** 1% of the work, each timed once (a smoke run; BENCH_QUICK=1 does the same). */
  quick: boolean;
}

export const BENCH_USAGE = [
  "usage: npm run bench [-- [--only NAME,NAME…] [--no-tfjs] [--quick]]",
  "  --only NAMES  run these workloads only (of: WORKLOADS); print the tables instead of writing bench/RESULTS.md",
  "  --no-tfjs     leave TensorFlow.js out, cpu and wasm backends (its runs take minutes)",
  "  --quick       a smoke run: 1% of the work, printed (as BENCH_QUICK=1)",
].join("\n");

/** The options, or an error sentence saying what was wrong (the caller prints it with the usage). */
export function parseBenchArgs(args: readonly string[], workloadNames: readonly string[], env: Record<string, string | undefined> = {}): BenchOptions | { error: string } {
  const options: BenchOptions = { tfjs: true, quick: env["BENCH_QUICK"] === "1" };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--no-tfjs") options.tfjs = false;
    else if (arg === "--quick") options.quick = true;
    else if (arg === "--only" || arg.startsWith("--only=")) {
      const value = arg === "--only" ? args[++i] : arg.slice("--only=".length);
      if (value === undefined || value === "") return { error: "--only needs a comma-separated list of workload names" };
      const names = value.split(",").filter((n) => n !== "");
      const unknown = names.filter((n) => !workloadNames.includes(n));
      if (unknown.length > 0) return { error: `--only: no workload named ${unknown.map((n) => `"${n}"`).join(", ")} (the workloads: ${workloadNames.join(", ")})` };
      if (names.length === 0) return { error: "--only needs a comma-separated list of workload names" };
      options.only = [...new Set(names)];
    } else return { error: `unknown option "${arg}"` };
  }
  return options;
}
