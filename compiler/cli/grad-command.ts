// `nnc grad MODEL.nn [--wrt NAME] [--format math|ts|ir] [--order 2]`: the derived gradient of the
// loss, after simplification, for every parameter or the one named; with `--order 2` the second
// derivative, as the Hessian-vector product the compiler derives from the gradient (second-order.ts).
//
//   nnc grad dsl-examples/parity.nn --wrt W_h          δz_out = out − y  [1] …
//   nnc grad dsl-examples/parity.nn --format ts        the emitted gradient kernel (gradSample or gradRows)

import { analyze, lowerSource } from "../compile.js";
import { derivation } from "../explain/derivation.js";
import { sliceGradient } from "../explain/code-slice.js";
import { fullCodeText, irText, mathText, sliceText } from "../explain/grad-text.js";
import { closest } from "../suggest.js";
import { oneModelFile, parseOptions } from "./options.js";
import { CliError, UsageError, readSource } from "./io.js";
import { secondOrderCode, secondOrderIr, secondOrderMath } from "./second-order.js";

const FORMATS = ["math", "ts", "ir"] as const;

export const GRAD_USAGE = `  nnc grad MODEL.nn [options]          the derived gradient of the loss, after simplification
      --wrt NAME                       only this parameter's gradient (default: all)
      --format math|ts|ir              equations with shapes (default), the emitted code, or graph text
      --order 1|2                      2: the second derivative, H v (the Hessian times a direction v)
`;

/** The text `nnc grad` prints (exported for tests and golden files). */
export async function gradReport(source: string, file: string, opts: { wrt?: string; format?: string; order?: string } = {}): Promise<string> {
  const format = opts.format ?? "math";
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got '${format}'`);
  const order = opts.order ?? "1";
  if (order !== "1" && order !== "2") throw new UsageError(`--order must be 1 or 2, got '${order}'`);
  const { model, derived } = analyze(source, file);
  const names = model.params.map((p) => p.name);
  if (opts.wrt !== undefined && !names.includes(opts.wrt)) {
    const hint = closest(opts.wrt, names);
    throw new CliError(`--wrt: '${opts.wrt}' is not a parameter of ${model.name}${hint ? `; did you mean '${hint}'?` : ""} (parameters: ${names.join(", ")})`);
  }
  const wanted = opts.wrt !== undefined ? [opts.wrt] : names;
  if (order === "2") {
    if (format === "math") return secondOrderMath(model, derived, wanted);
    if (format === "ir") return secondOrderIr(model, derived, wanted);
    return secondOrderCode(model, lowerSource(source, file, { hvp: true }).program);
  }
  if (format === "math") return mathText(model, derivation(model, derived, wanted));
  if (format === "ir") return irText(model, derived, wanted);
  // The kernels exactly as `nnc MODEL.nn -o MODEL.ts` lowers and prints them.
  const { program } = lowerSource(source, file);
  if (opts.wrt === undefined) return fullCodeText(model, program);
  const slice = sliceGradient(program, opts.wrt);
  if (!slice) throw new Error(`internal: the gradient kernel has no block for ∂loss/∂${opts.wrt}`);
  return sliceText(model, opts.wrt, slice, program);
}

export const GRAD_OPTIONS = {
  wrt: { type: "string" },
  format: { type: "string" },
  order: { type: "string" },
} as const;

export async function gradCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(args, GRAD_OPTIONS);
  const input = oneModelFile(positionals);
  const opts: { wrt?: string; format?: string; order?: string } = {};
  if (typeof values.wrt === "string") opts.wrt = values.wrt;
  if (typeof values.format === "string") opts.format = values.format;
  if (typeof values.order === "string") opts.order = values.order;
  process.stdout.write(await gradReport(readSource(input), input, opts));
  return 0;
}
