// `nnc check MODEL.nn [--points N] [--seed S] [--unroll auto|always|never]`: compiles the model
// in memory and compares the generated grad() with central finite differences of the
// generated loss() at N random points; prints the largest error per parameter with
// PASS/FAIL and exits 1 when any parameter fails.
//
//   nnc check dsl-examples/xor.nn --points 5

import { checkGradients, checkText } from "../explain/gradient-check.js";
import { parseOptions } from "./compile-command.js";
import { CliError, readSource } from "./io.js";

export const CHECK_USAGE = `  nnc check MODEL.nn [options]         generated gradients against finite differences (exit 1 on failure)
      --points N  --seed S             random points to check (default 3) and their seed (default 0)
      --unroll auto|always|never       which lowering to check (default auto)
`;

function integerOption(value: unknown, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag} must be an integer from ${min} to ${max}, got '${String(value)}'`);
  return n;
}

export async function checkCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    points: { type: "string" },
    seed: { type: "string" },
    unroll: { type: "string" },
  });
  if (positionals.length !== 1) throw new CliError(`nnc check: expected one model file, got ${positionals.length === 0 ? "none" : positionals.join(" ")} (see 'nnc help')`);
  const input = positionals[0]!;
  const points = integerOption(values.points, "--points", 1, 1000);
  const seed = integerOption(values.seed, "--seed", 0, 2 ** 31 - 1);
  const unroll = values.unroll as string | undefined;
  if (unroll !== undefined && !["auto", "always", "never"].includes(unroll)) throw new CliError(`--unroll must be one of auto, always, never, got '${unroll}'`);
  const result = await checkGradients(readSource(input), input, {
    ...(points !== undefined ? { points } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(unroll !== undefined ? { unroll: unroll as "auto" | "always" | "never" } : {}),
  });
  process.stdout.write(checkText(input, result));
  return result.pass ? 0 : 1;
}
