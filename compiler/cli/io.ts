// File input and output for the CLI, with clear errors instead of stack traces, and
// atomic writes: output goes to a temporary file in the same folder and is renamed into
// place, so a failed or interrupted run never leaves a half-written file.

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** A user-facing CLI error: printed as `nnc: error: …`, exit code 1. */
export class CliError extends Error {}

/**
 * A malformed command line (unknown command or option, missing or extra argument, an option
 * value of the wrong form), known without reading any file: exit code 2, and main() adds where
 * to find the command's help.
 */
export class UsageError extends CliError {}

/** A file-system error in words ("permission denied"), with its code for searching. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ENOENT: "no such file or folder",
    ENOTDIR: "a part of the path is not a folder",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EISDIR: "it is a directory",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    EIO: "input/output error",
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  return code ?? String((e as Error)?.message ?? e);
}

export function readSource(path: string): string {
  let stat;
  try {
    stat = statSync(path);
  } catch (e) {
    throw new CliError(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : describeFsError(e)}`);
  }
  if (stat.isDirectory()) throw new CliError(`cannot read '${path}': it is a directory`);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read '${path}': ${describeFsError(e)}`);
  }
}

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

export function writeAtomically(path: string, text: string, inputPath?: string): void {
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
    writeFileSync(fd, text);
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
