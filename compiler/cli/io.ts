// File input for the CLI, with clear errors instead of stack traces (outputs: outputs.ts).

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
