// File input and output for the CLI, with clear errors instead of stack traces, and
// atomic writes: output goes to a temporary file in the same folder and is renamed into
// place, so a failed or interrupted run never leaves a half-written file.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** A user-facing CLI error: printed as `nnc: error: …`, exit code 1. */
export class CliError extends Error {}

export function readSource(path: string): string {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new CliError(`cannot read '${path}': no such file`);
  }
  if (stat.isDirectory()) throw new CliError(`cannot read '${path}': it is a directory`);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export function writeAtomically(path: string, text: string, inputPath?: string): void {
  if (inputPath && resolve(path) === resolve(inputPath)) throw new CliError(`the output '${path}' is the input file; choose another name`);
  try {
    if (statSync(path).isDirectory()) throw new CliError(`cannot write '${path}': it is a directory`);
  } catch (e) {
    if (e instanceof CliError) throw e;
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "w");
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new CliError(`cannot write '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
