// File input for the CLI, with clear errors instead of stack traces (outputs: outputs.ts), and
// how names from outside reach the terminal.

import { escapeUnsafe } from "../data/errors.js";

/** A user-facing CLI error: printed as `nnc: error: …`, exit code 1. */
export class CliError extends Error {}

/**
 * A malformed command line (unknown command or option, missing or extra argument, an option
 * value of the wrong form), known without reading any file: exit code 2, and main() adds where
 * to find the command's help.
 */
export class UsageError extends CliError {}

// Reading lives in compiler/data/read-file.ts (with size limits); re-exported for the commands.
export { describeFsError, readSource } from "../data/read-file.js";

/**
 * A file name (or any text from outside nnc) as printed to the terminal: control characters,
 * escape sequences and invisible or direction-changing characters written as `\uXXXX`, as
 * compiler/data/errors.ts shows values, so a name can never clear the screen or hide text.
 */
export function shownName(text: string): string {
  return escapeUnsafe(text);
}
