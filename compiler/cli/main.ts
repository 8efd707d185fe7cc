// The `nnc` command line: dispatches to one module per subcommand (commands.ts), answers
// `nnc help [COMMAND]`, `nnc COMMAND --help` and `nnc --version`, and turns every expected
// failure into a one-line message, never a stack trace. Exit codes: 0 success; 1 an error in
// the model, the data or a file (CliError, NncError); 2 a malformed command line (UsageError,
// with where to find help) or an internal error.
//
//   nnc model.nn -o model.ts      compile (the main job)
//   nnc train model.nn --data d.csv   train from data (also: predict, evaluate)
//   nnc grad model.nn             the derived gradient (also: graph, check)
//   nnc help train                one command's options

import { existsSync } from "node:fs";
import { NncError, formatDiagnostic } from "../diagnostics.js";
import { closest } from "../suggest.js";
import { NNC_VERSION } from "../version.js";
import { DataError } from "../data/errors.js";
import { LimitError } from "../lower/limit-error.js";
import { COMMANDS } from "./commands.js";
import { CliError, UsageError, shownName } from "./io.js";
import { own } from "../own.js";

export const USAGE = `nnc: a neural-network compiler

usage:
${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join("")}  nnc help [COMMAND]                   this text, or one command's (also: nnc COMMAND --help)
  nnc --version                        the version

exit codes: 0 success; 1 an error in the model, the data or a file; 2 a malformed command line
`;

/** One command's help. */
export function commandUsage(name: string): string {
  return `usage:\n${own(COMMANDS, name)!.usage}`;
}

const COMMAND_NAMES = [...Object.keys(COMMANDS), "help"];

/** A usage error for a first word that is neither a command nor a model file, if it is one. */
function unknownCommand(word: string): UsageError | undefined {
  if (word.startsWith("--")) {
    // Top-level options look like the compile command's: suggest the two that are not.
    const hint = closest(word, ["--version", "--help"]);
    return hint ? new UsageError(`Unknown option '${word}'; did you mean '${hint}'?`) : undefined;
  }
  // A bare word that names no file: a command, misspelled (model files have an extension).
  if (word.startsWith("-") || /[./\\]/.test(word) || existsSync(word)) return undefined;
  // Up to two edits, as for the model file's statement keywords: 'trian' is 'train' swapped.
  const hint = closest(word, COMMAND_NAMES, 2);
  if (hint) return new UsageError(`unknown command '${word}'; did you mean '${hint}'?`);
  return new UsageError(`unknown command '${word}': the commands are ${COMMAND_NAMES.join(", ")}, and a model file is compiled with nnc MODEL.nn -o MODEL.ts`);
}

/** `--help` or `-h` among a command's arguments (before a `--` that ends the options). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

export async function main(argv: string[]): Promise<number> {
  let command: string | undefined;
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      process.stderr.write(USAGE);
      return 2;
    }
    if (first === "--version") {
      process.stdout.write(`nnc ${NNC_VERSION}\n`);
      return 0;
    }
    if (first === "help" || first === "--help" || first === "-h") {
      if (first !== "help" || rest.length === 0) {
        process.stdout.write(USAGE);
        return 0;
      }
      const [name, ...extra] = rest;
      if (extra.length > 0) throw new UsageError(`nnc help takes one command name, got ${rest.join(" ")}`);
      if (!own(COMMANDS, name!)) throw unknownCommand(name!) ?? new UsageError(`unknown command '${name}': the commands are ${COMMAND_NAMES.join(", ")}`);
      process.stdout.write(commandUsage(name!));
      return 0;
    }
    const known = own(COMMANDS, first) !== undefined;
    if (!known) {
      const misspelled = unknownCommand(first);
      if (misspelled) throw misspelled;
    }
    command = known ? first : "compile";
    const args = known ? rest : argv;
    if (asksForHelp(args)) {
      process.stdout.write(commandUsage(command));
      return 0;
    }
    return await own(COMMANDS, command)!.run(args);
  } catch (e) {
    if (e instanceof NncError) {
      process.stderr.write(`${formatDiagnostic(e.diagnostic)}\n`);
      return 1;
    }
    if (e instanceof UsageError) {
      const end = /[.?]$/.test(e.message) ? "" : ".";
      process.stderr.write(`nnc: error: ${shownName(e.message)}${end} See 'nnc help${command ? ` ${command}` : ""}'.\n`);
      return 2;
    }
    if (e instanceof CliError || e instanceof DataError || e instanceof LimitError) {
      // Messages name files as they were given: shown escaped, like every value from outside.
      process.stderr.write(`nnc: error: ${shownName(e.message)}\n`);
      return 1;
    }
    const err = e as Error;
    process.stderr.write(`nnc: internal error: ${err.message}\nThis is a bug in nnc; please report it with the model file.\n`);
    if (process.env["NNC_DEBUG"]) process.stderr.write(`${err.stack}\n`);
    return 2;
  }
}
