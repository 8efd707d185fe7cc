// Reading files from disk for nnc, never more than asked for: data and weights are read in
// chunks (a 10 GB file never becomes one string), and a file read whole (a model) has a size
// limit checked before and while reading, so /dev/zero or a huge file is refused with a message
// instead of exhausting memory. Errors say what went wrong in words.
//
//   const file = openInput("train.csv");               // DataError if missing, a folder, …
//   for (const text of textChunks(file)) …             // UTF-8 text, 1 MB at a time, BOM dropped
//   const source = readSource("model.nn");             // the whole file, at most 64 MB

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { DataError } from "./errors.js";

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

export interface InputFile {
  path: string;
  fd: number;
  /** Bytes, for a regular file; pipes and devices report 0. */
  size: number;
  /** A regular file: its size is known and it can be read twice. */
  regular: boolean;
}

/** Opens `path` for reading, or throws a DataError saying why it cannot be read. */
export function openInput(path: string): InputFile {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new DataError(`cannot read '${path}': ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : describeFsError(e)}`);
  }
  const stat = fstatSync(fd);
  if (stat.isDirectory()) {
    closeSync(fd);
    throw new DataError(`cannot read '${path}': it is a directory`);
  }
  return { path, fd, size: stat.size, regular: stat.isFile() };
}

export const CHUNK_BYTES = 1 << 20;

/** Reads up to buffer.length bytes at `position` (null: the current position, for pipes). */
function readInto(file: InputFile, buffer: Buffer, position: number | null): number {
  try {
    return readSync(file.fd, buffer, 0, buffer.length, position);
  } catch (e) {
    throw new DataError(`cannot read '${file.path}': ${describeFsError(e)}`);
  }
}

/**
 * The file's text in chunks, decoded as UTF-8 (a leading byte-order mark is dropped; invalid
 * bytes become U+FFFD). Closes the file when done or when the caller stops early. `maxBytes`
 * refuses a file that turns out longer (checked as it is read: pipes and devices have no size).
 */
export function* textChunks(file: InputFile, opts: { maxBytes?: number; tooLarge?: (bytes: number) => string } = {}): Generator<string, void, undefined> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const decoder = new TextDecoder("utf-8");
  let total = 0;
  try {
    for (;;) {
      const n = readInto(file, buffer, null);
      if (n === 0) break;
      total += n;
      if (opts.maxBytes !== undefined && total > opts.maxBytes) {
        throw new DataError(opts.tooLarge?.(total) ?? `'${file.path}' is larger than ${opts.maxBytes} bytes`);
      }
      const text = decoder.decode(buffer.subarray(0, n), { stream: true });
      if (text !== "") yield text;
    }
    const rest = decoder.decode();
    if (rest !== "") yield rest;
  } finally {
    closeSync(file.fd);
  }
}

/**
 * How many lines a regular file has (counting a last line without a newline), reading it once
 * without decoding; stops counting at `atMost`. For sizing storage before the real read.
 */
export function countLines(file: InputFile, atMost: number): number {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let lines = 0;
  let last = 10;
  for (let position = 0; lines < atMost; ) {
    const n = readInto(file, buffer, position);
    if (n === 0) break;
    position += n;
    const view = n === buffer.length ? buffer : buffer.subarray(0, n);
    for (let i = view.indexOf(10); i >= 0 && lines < atMost; i = view.indexOf(10, i + 1)) lines++;
    last = view[n - 1]!;
  }
  return last === 10 || lines >= atMost ? lines : lines + 1;
}

/** Largest file read whole as text (a model file): far beyond any real model, far below memory. */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

/** The whole file as text (UTF-8, BOM dropped), refused beyond `maxBytes`. */
export function readSource(path: string, maxBytes = MAX_SOURCE_BYTES): string {
  const file = openInput(path);
  const tooLarge = () => `cannot read '${path}': it is larger than ${maxBytes / (1024 * 1024)} MB; is it the right file?`;
  if (file.regular && file.size > maxBytes) {
    closeSync(file.fd);
    throw new DataError(tooLarge());
  }
  let text = "";
  for (const chunk of textChunks(file, { maxBytes, tooLarge })) text += chunk;
  return text;
}
