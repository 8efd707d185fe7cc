// `nnc MODEL.nn -o MODEL.ts`: compile a model file to a generated TypeScript module.
// `--emit ir` prints the graph before and after autodiff and simplification instead.

import { type ParseArgsConfig, parseArgs } from "node:util";
import { compile } from "../compile.js";
import { irReport } from "./ir-report.js";
import { CliError, readSource } from "./io.js";
import { checkOutputs, outputName, writeOutput } from "./outputs.js";

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** util.parseArgs with its errors turned into CliErrors. */
export function parseOptions<T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliError((e as Error).message.replace(/\. To specify a positional argument.*$/, ""));
  }
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`${flag} must be one of ${allowed.join(", ")}, got '${value}'`);
  return value as T;
}

export async function compileCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    output: { type: "string", short: "o" },
    unroll: { type: "string" },
    batch: { type: "string" },
    precision: { type: "string" },
    emit: { type: "string" },
    prettier: { type: "boolean" },
    "no-format": { type: "boolean" },
  });
  if (positionals.length !== 1) throw new CliError(`expected one model file, got ${positionals.length === 0 ? "none" : positionals.join(" ")} (see 'nnc help')`);
  const input = positionals[0]!;
  const emit = oneOf(values.emit as string | undefined, ["ts", "ir"] as const, "--emit") ?? "ts";
  if (emit === "ir") {
    process.stdout.write(irReport(readSource(input), input));
    return 0;
  }
  const unroll = oneOf(values.unroll as string | undefined, ["auto", "always", "never"] as const, "--unroll");
  const batch = oneOf(values.batch as string | undefined, ["auto", "always", "never"] as const, "--batch");
  const precision = oneOf(values.precision as string | undefined, ["f64", "f32"] as const, "--precision");
  const output = values.output as string | undefined;
  if (!output) throw new CliError(`missing -o OUTPUT.ts (where to write the generated module)`);
  checkOutputs([{ flag: "-o", path: output }], [{ flag: "the model file", path: input }]);
  const source = readSource(input);
  const compiled = await compile(source, input, {
    ...(unroll ? { unroll } : {}),
    ...(batch ? { batch } : {}),
    ...(precision ? { precision } : {}),
    format: values.prettier === true,
  });
  writeOutput(output, compiled.code);
  const kb = (Buffer.byteLength(compiled.code) / 1024).toFixed(1);
  process.stderr.write(`nnc: ${input} -> ${outputName(output)} (${compiled.model.params.length} tensors, ${kb} KB, ${compiled.strategy === "batched" ? "batched kernels" : `per-sample kernels, ${compiled.strategy}`})\n`);
  return 0;
}
