// `nnc MODEL.nn -o MODEL.ts`: compile a model file to a generated TypeScript module.
// `--emit ir` prints the graph before and after autodiff and simplification instead, and
// `--emit program` the lowered Program (buffers and kernels) that the module prints.

import { compile, lowerSource } from "../compile.js";
import { programText } from "../print/program-text.js";
import { irReport } from "./ir-report.js";
import { UsageError, readSource } from "./io.js";
import { oneModelFile, oneOf, parseOptions } from "./options.js";
import { checkOutputs, outputName, writeOutput } from "./outputs.js";

export const COMPILE_USAGE = `  nnc [compile] MODEL.nn -o MODEL.ts [options]   compile a model to a self-contained TypeScript module
      --unroll auto|always|never       straight-line code or loops (default auto: within V8's budget)
      --batch auto|always|never        matrix-matrix kernels for minibatches (default auto: by size)
      --precision f64|f32              storage type of parameters and activations (default f64)
      --emit ts|ir|program             what to write: the module (default), the graph text, or the Program
      --prettier                       also format the output with prettier (slower; off by default)
`;

export const COMPILE_OPTIONS = {
  output: { type: "string", short: "o" },
  unroll: { type: "string" },
  batch: { type: "string" },
  precision: { type: "string" },
  emit: { type: "string" },
  prettier: { type: "boolean" },
  // Formatting used to be on by default; this old way to turn it off is still accepted.
  "no-format": { type: "boolean" },
} as const;

export async function compileCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, COMPILE_OPTIONS);
  const input = oneModelFile(positionals);
  const emit = oneOf(values.emit as string | undefined, ["ts", "ir", "program"] as const, "--emit") ?? "ts";
  const unroll = oneOf(values.unroll as string | undefined, ["auto", "always", "never"] as const, "--unroll");
  const batch = oneOf(values.batch as string | undefined, ["auto", "always", "never"] as const, "--batch");
  const precision = oneOf(values.precision as string | undefined, ["f64", "f32"] as const, "--precision");
  const output = values.output as string | undefined;
  if (emit === "ts") {
    if (!output) throw new UsageError(`missing -o OUTPUT.ts (where to write the generated module)`);
    checkOutputs([{ flag: "-o", path: output }], [{ flag: "the model file", path: input }]);
  }
  const source = readSource(input);
  if (emit === "ir") {
    process.stdout.write(irReport(source, input));
    return 0;
  }
  if (emit === "program") {
    process.stdout.write(programText(lowerSource(source, input, { ...(unroll ? { unroll } : {}), ...(batch ? { batch } : {}) }).program));
    return 0;
  }
  const compiled = await compile(source, input, {
    ...(unroll ? { unroll } : {}),
    ...(batch ? { batch } : {}),
    ...(precision ? { precision } : {}),
    format: values.prettier === true,
  });
  writeOutput(output!, compiled.code);
  const kb = (Buffer.byteLength(compiled.code) / 1024).toFixed(1);
  process.stderr.write(`nnc: ${input} -> ${outputName(output!)} (${compiled.model.params.length} tensors, ${kb} KB, ${compiled.strategy === "batched" ? "batched kernels" : `per-sample kernels, ${compiled.strategy}`})\n`);
  return 0;
}
