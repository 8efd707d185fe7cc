// The `nnc` command line: dispatches to one module per subcommand and turns every
// expected failure (bad model file, bad arguments, unreadable files) into a one-screen
// message and exit code 1, never a stack trace.
//
//   nnc model.nn -o model.ts      compile (the main job)
//   nnc train model.nn --data d.csv   train from data (also: predict, evaluate)
//   nnc grad model.nn             the derived gradient (also: graph, check)
//   nnc help                      usage

import { NncError, formatDiagnostic } from "../diagnostics.js";
import { CliError } from "./io.js";
import { DataError } from "../data/errors.js";
import { compileCommand } from "./compile-command.js";
import { TRAIN_USAGE, trainCommand } from "./train-command.js";
import { PREDICT_USAGE, predictCommand } from "./predict-command.js";
import { EVALUATE_USAGE, evaluateCommand } from "./evaluate-command.js";
import { GRAD_USAGE, gradCommand } from "./grad-command.js";
import { GRAPH_USAGE, graphCommand } from "./graph-command.js";
import { CHECK_USAGE, checkCommand } from "./check-command.js";

export const USAGE = `nnc: a neural-network compiler

usage:
  nnc MODEL.nn -o MODEL.ts [options]   compile a model to a self-contained TypeScript module
      --unroll auto|always|never       straight-line code or loops (default auto: within V8's budget)
      --batch auto|always|never        matrix-matrix kernels for minibatches (default auto: by size)
      --precision f64|f32              storage type of parameters and activations (default f64)
      --emit ts|ir                     what to write: the module (default) or the graph text
      --prettier                       also format the output with prettier (slower; off by default)
${TRAIN_USAGE}${PREDICT_USAGE}${EVALUATE_USAGE}${GRAD_USAGE}${GRAPH_USAGE}${CHECK_USAGE}  nnc help                             this text
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  compile: compileCommand,
  train: trainCommand,
  predict: predictCommand,
  evaluate: evaluateCommand,
  grad: gradCommand,
  graph: graphCommand,
  check: checkCommand,
};

export async function main(argv: string[]): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === "help" || first === "--help" || first === "-h") {
      process.stdout.write(USAGE);
      return first === undefined ? 1 : 0;
    }
    const command = COMMANDS[first];
    if (command) return await command(rest);
    return await compileCommand(argv);
  } catch (e) {
    if (e instanceof NncError) {
      process.stderr.write(`${formatDiagnostic(e.diagnostic)}\n`);
      return 1;
    }
    if (e instanceof CliError || e instanceof DataError) {
      process.stderr.write(`nnc: error: ${e.message}\n`);
      return 1;
    }
    const err = e as Error;
    process.stderr.write(`nnc: internal error: ${err.message}\nThis is a bug in nnc; please report it with the model file.\n`);
    if (process.env["NNC_DEBUG"]) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}
