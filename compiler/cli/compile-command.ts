// `nnc MODEL.nn -o MODEL.ts`: compile a model file to a generated TypeScript module, or with
// `-o MODEL.js` (or .mjs) to a JavaScript module with its MODEL.d.ts (.d.mts) beside it.
// `--emit ir` prints the graph before and after autodiff and simplification instead, and
// `--emit program` the lowered Program (buffers and kernels) that the module prints,
// `--emit wat` the WebAssembly kernels of `--kernels wasm` as text, and `--emit hvp` the module
// with the Hessian-vector product exported too.

import { statSync } from "node:fs";
import { compile, lowerSource } from "../compile.js";
import { kernelSummary } from "../emit/kernel-info.js";
import { KERNELS_OPTION, kernelsOf, refuseWasmPerSample } from "./model-module.js";
import { moduleWat } from "../print/wasm/wat.js";
import { programText } from "../print/program-text.js";
import { irReport } from "./ir-report.js";
import { CliError, UsageError, readSource, shownName } from "./io.js";
import { oneModelFile, oneOf, parseOptions } from "./options.js";
import { checkOutputs, outputName, writeOutput } from "./outputs.js";

export const COMPILE_USAGE = `  nnc [compile] MODEL.nn -o MODEL.ts [options]   compile a model to a self-contained TypeScript module
      -o MODEL.js                      a JavaScript module instead, with MODEL.d.ts beside it (.mjs: .d.mts)
      --unroll auto|always|never       straight-line code or loops (default auto: within V8's budget)
      --batch auto|always|never        matrix-matrix kernels for minibatches (default auto: by size)
      --precision f64|f32              storage type of parameters and activations (default f64)
      --kernels js|wasm|auto           matrix products in JavaScript (default), WebAssembly SIMD, or by model size
      --emit ts|ir|program|wat|hvp     what to write: the module (default), the graph text, the Program,
                                       the WebAssembly kernels as text (with --kernels wasm),
                                       or the module exporting hvp() too (Hessian-vector products)
      --prettier                       also format the output with prettier (slower; off by default)
`;

export const COMPILE_OPTIONS = {
  output: { type: "string", short: "o" },
  unroll: { type: "string" },
  batch: { type: "string" },
  precision: { type: "string" },
  ...KERNELS_OPTION,
  emit: { type: "string" },
  prettier: { type: "boolean" },
  // Formatting used to be on by default; this old way to turn it off is still accepted.
  "no-format": { type: "boolean" },
} as const;

/** The .d.ts beside a JavaScript module (m.js: m.d.ts, m.mjs: m.d.mts); undefined for other names. */
function declarationsPath(output: string): string | undefined {
  const js = /\.(m?)js$/.exec(output);
  return js ? output.slice(0, js.index) + (js[1] === "m" ? ".d.mts" : ".d.ts") : undefined;
}

/** What -o asks for: TypeScript, or JavaScript and where its .d.ts goes. */
type Target = { language: "ts" } | { language: "js"; declarations: string };

/**
 * The module an output name asks for, by its extension: .ts and .mts get TypeScript, .js and
 * .mjs JavaScript with a .d.ts (.d.mts) beside it; standard output, a device and a FIFO get
 * TypeScript. Anything else is refused: a module that Node or a bundler would misread is worse
 * than an error.
 */
export function outputTarget(output: string): Target {
  if (/\.d\.[mc]?ts$/i.test(output)) {
    throw new UsageError(`-o '${output}': a .d.ts file holds only types; name the module .ts, or .js for JavaScript with its .d.ts beside it`);
  }
  const declarations = declarationsPath(output);
  if (declarations !== undefined) return { language: "js", declarations };
  if (/\.m?ts$/.test(output) || output === "-") return { language: "ts" };
  // A device or a FIFO (written in place, see outputs.ts) has no extension to go by.
  const stats = statSync(output, { throwIfNoEntry: false });
  if (stats && !stats.isFile() && !stats.isDirectory()) return { language: "ts" };
  throw new UsageError(`cannot tell what to write to '${output}': name it .ts or .mts (TypeScript), or .js or .mjs (JavaScript, with a .d.ts beside it)`);
}

export async function compileCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, COMPILE_OPTIONS);
  const input = oneModelFile(positionals);
  const emit = oneOf(values.emit as string | undefined, ["ts", "ir", "program", "wat", "hvp"] as const, "--emit") ?? "ts";
  const writesModule = emit === "ts" || emit === "hvp";
  const unroll = oneOf(values.unroll as string | undefined, ["auto", "always", "never"] as const, "--unroll");
  const batch = oneOf(values.batch as string | undefined, ["auto", "always", "never"] as const, "--batch");
  const precision = oneOf(values.precision as string | undefined, ["f64", "f32"] as const, "--precision");
  const { kernels } = kernelsOf(values);
  refuseWasmPerSample(kernels, batch);
  if (emit === "wat" && kernels !== "wasm" && kernels !== "auto") throw new UsageError(`--emit wat prints WebAssembly kernels: add --kernels wasm`);
  const output = values.output as string | undefined;
  let target: Target = { language: "ts" };
  if (writesModule) {
    if (!output) throw new UsageError(`missing -o OUTPUT.ts (where to write the generated module)`);
    const outputs = [
      { flag: "-o", path: output },
      { flag: "the .d.ts beside -o", path: declarationsPath(output) },
    ];
    // Checked first: a directory or the model file itself is a clearer error than its extension.
    checkOutputs(outputs, [{ flag: "the model file", path: input }]);
    target = outputTarget(output);
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
  const options = { ...(unroll ? { unroll } : {}), ...(batch ? { batch } : {}), ...(precision ? { precision } : {}), ...(kernels ? { kernels } : {}) };
  if (emit === "wat") {
    const { program } = lowerSource(source, input, options);
    if (!program.wasm) throw new CliError(`--emit wat: --kernels auto kept ${shownName(input)}'s kernels in JavaScript (too small to gain); use --kernels wasm`);
    process.stdout.write(moduleWat(program.wasm.module));
    return 0;
  }
  const compiled = await compile(source, input, { ...options, language: target.language, format: values.prettier === true, hvp: emit === "hvp" });
  // The .d.ts first: should writing it fail, no JavaScript module is left without its types.
  if (target.language === "js") writeOutput(target.declarations, compiled.declarations!);
  writeOutput(output!, compiled.code);
  const kb = (Buffer.byteLength(compiled.code) / 1024).toFixed(1);
  const written = target.language === "js" ? `${outputName(output!)} and ${outputName(target.declarations)}` : outputName(output!);
  // The same words as the module's header and model.kernels say.
  const summary = `${compiled.model.params.length} tensors, ${kb} KB; kernels: ${kernelSummary(compiled.kernels)}`;
  process.stderr.write(`nnc: ${shownName(input)} -> ${written} (${summary})\n`);
  return 0;
}
