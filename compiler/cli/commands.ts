// The subcommands of `nnc`: what runs each one and its help text (`nnc help COMMAND`). The
// compile command is also the default: `nnc MODEL.nn -o MODEL.ts` is `nnc compile MODEL.nn …`.

import { CHECK_OPTIONS, CHECK_USAGE, checkCommand } from "./check-command.js";
import { COMPILE_OPTIONS, COMPILE_USAGE, compileCommand } from "./compile-command.js";
import { EVALUATE_OPTIONS, EVALUATE_USAGE, evaluateCommand } from "./evaluate-command.js";
import { EXPORT_OPTIONS, EXPORT_USAGE, exportCommand } from "./export-command.js";
import { GRAD_OPTIONS, GRAD_USAGE, gradCommand } from "./grad-command.js";
import { GRAPH_OPTIONS, GRAPH_USAGE, graphCommand } from "./graph-command.js";
import { IMPORT_OPTIONS, IMPORT_USAGE, importCommand } from "./import-command.js";
import type { OptionSpec } from "./options.js";
import { PREDICT_OPTIONS, PREDICT_USAGE, predictCommand } from "./predict-command.js";
import { TRAIN_OPTIONS, TRAIN_USAGE, trainCommand } from "./train-command.js";

export interface Command {
  run(args: string[]): Promise<number>;
  /** Its lines of `nnc help`: the synopsis, then its options indented. */
  usage: string;
  /** The options it accepts (each one is in its usage: tests/robustness/cli-usage.test.ts). */
  options: OptionSpec;
}

export const COMMANDS: Record<string, Command> = {
  compile: { run: compileCommand, usage: COMPILE_USAGE, options: COMPILE_OPTIONS },
  train: { run: trainCommand, usage: TRAIN_USAGE, options: TRAIN_OPTIONS },
  predict: { run: predictCommand, usage: PREDICT_USAGE, options: PREDICT_OPTIONS },
  evaluate: { run: evaluateCommand, usage: EVALUATE_USAGE, options: EVALUATE_OPTIONS },
  grad: { run: gradCommand, usage: GRAD_USAGE, options: GRAD_OPTIONS },
  graph: { run: graphCommand, usage: GRAPH_USAGE, options: GRAPH_OPTIONS },
  check: { run: checkCommand, usage: CHECK_USAGE, options: CHECK_OPTIONS },
  import: { run: importCommand, usage: IMPORT_USAGE, options: IMPORT_OPTIONS },
  export: { run: exportCommand, usage: EXPORT_USAGE, options: EXPORT_OPTIONS },
};
