// File input and output for the CLI, with clear errors instead of stack traces, and
// atomic writes: output goes to a temporary file in the same folder and is renamed into
// place, so a failed or interrupted run never leaves a half-written file.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { describeFsError } from "../data/read-file.js";

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

/** Whether two paths name the same existing file (also through links). */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** Text to write: a string, or a function that writes it in pieces (weights of any size). */
export type Content = string | ((write: (piece: string) => void) => void);

export function writeAtomically(path: string, text: Content, inputPath?: string): void {
  if (inputPath && sameFile(path, inputPath)) throw new CliError(`the output '${path}' is the input file; choose another name`);
  try {
    if (statSync(path).isDirectory()) throw new CliError(`cannot write '${path}': it is a directory`);
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
  try {
    if (!statSync(dirname(path)).isDirectory()) throw new CliError(`cannot write '${path}': '${dirname(path)}' is not a folder`);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot write '${path}': the folder '${dirname(path)}' ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `cannot be used: ${describeFsError(e)}`}`);
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "w");
    const out = fd;
    if (typeof text === "string") writeFileSync(out, text);
    else text((piece) => writeFileSync(out, piece));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new CliError(`cannot write '${path}': ${describeFsError(e)}`);
  }
}
