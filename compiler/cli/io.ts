// File input for the CLI, with clear errors instead of stack traces (outputs: outputs.ts).

import { readFileSync, statSync } from "node:fs";

/** A user-facing CLI error: printed as `nnc: error: …`, exit code 1. */
export class CliError extends Error {}

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
    ELOOP: "too many levels of symbolic links",
    ENXIO: "no such device or address",
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
