// `nnc check MODEL.nn [--points N] [--seed S] [--unroll …] [--batch …] [--kernels …]`: compiles
// the model in memory (with the kernels asked for: `--kernels wasm` checks the WebAssembly SIMD
// products) and compares the generated grad() with central finite differences of the generated
// loss() at N random points; prints the largest error per parameter with PASS/FAIL and exits 1
// when any parameter fails.
//
//   nnc check dsl-examples/xor.nn --points 5

import { checkGradients, checkText } from "../explain/gradient-check.js";
import { oneModelFile, oneOf, parseOptions } from "./options.js";
import { UsageError, readSource } from "./io.js";
import { KERNELS_OPTION, KERNELS_USAGE, kernelsOf, refuseWasmPerSample } from "./model-module.js";

export const CHECK_USAGE = `  nnc check MODEL.nn [options]         generated gradients against finite differences (exit 1 on failure)
      --points N  --seed S             random points to check (default 3) and their seed (default 0)
      --unroll auto|always|never       which per-sample lowering to check (default auto)
      --batch auto|always|never        batched kernels or per-sample ones (default auto: by size)
${KERNELS_USAGE}`;

function integerOption(value: unknown, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got '${String(value)}'`);
  return n;
}

export const CHECK_OPTIONS = {
  points: { type: "string" },
  seed: { type: "string" },
  unroll: { type: "string" },
  batch: { type: "string" },
  ...KERNELS_OPTION,
} as const;

export async function checkCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, CHECK_OPTIONS);
  const input = oneModelFile(positionals);
  const points = integerOption(values.points, "--points", 1, 1000);
  const seed = integerOption(values.seed, "--seed", 0, 2 ** 31 - 1);
  const unroll = oneOf(values.unroll as string | undefined, ["auto", "always", "never"] as const, "--unroll");
  const batch = oneOf(values.batch as string | undefined, ["auto", "always", "never"] as const, "--batch");
  const { kernels } = kernelsOf(values);
  refuseWasmPerSample(kernels, batch);
  const source = readSource(input);
  const result = await checkGradients(source, input, {
    ...(points !== undefined ? { points } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(unroll !== undefined ? { unroll } : {}),
    ...(batch !== undefined ? { batch } : {}),
    ...(kernels !== undefined ? { kernels } : {}),
  });
  process.stdout.write(checkText(input, result));
  return result.pass ? 0 : 1;
}
