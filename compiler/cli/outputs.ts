// Where the command line's outputs (-o, --save, --plot) go: checked before any work, and
// written so that nothing but the output itself is ever replaced.
//
//   -                         standard output
//   a device or FIFO          opened and written in place (replacing /dev/null would be a disaster)
//   a symbolic link           its final target is replaced atomically; the link stays a link
//   a file, or a new name     written to `.NAME.PID.tmp` beside it, then renamed over it (a failed
//                             or interrupted run leaves the old file whole); its mode is kept
//
// checkOutputs refuses, before any work, an output that could never be written and one that is
// the same file as an input or as another output (compared as files, not spellings: symbolic
// links, hard links, `./a` and `a` all count).
//
//   checkOutputs([{ flag: "--save", path: "w.json" }], [{ flag: "--data", path: "d.csv" }]);
//   …train…
//   writeOutput("w.json", weights);

import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CliError, describeFsError, shownName } from "./io.js";

/** A file named on the command line: the flag that named it (or "the model file") and the path. */
export interface NamedPath {
  flag: string;
  path: string | undefined;
}

/** What an output path is once symbolic links are followed. */
type Destination =
  | { kind: "stdout" }
  /** Written in place: a character or block device, or a FIFO. */
  | { kind: "stream"; target: string; stats: Stats }
  /** Replaced atomically: an existing regular file (stats) or a name still free. */
  | { kind: "file"; target: string; stats: Stats | undefined };

const MAX_LINKS = 40; // as Linux's ELOOP limit

function cannotWrite(path: string, reason: string): CliError {
  return new CliError(`cannot write '${path}': ${reason}`);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** The path with every symbolic link followed; a dangling link gives the name it points to. */
function followLinks(path: string): string {
  let current = path;
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const stats = lstatOrUndefined(current);
    if (!stats?.isSymbolicLink()) return current;
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw Object.assign(new Error("too many links"), { code: "ELOOP" });
}

/** Where `path` leads, with the reasons it could never be written as errors. */
function destination(path: string): Destination {
  if (path === "-") return { kind: "stdout" };
  if (path === "" || /[\\/]$/.test(path)) throw cannotWrite(path, "it names a folder, not a file");
  let target: string;
  let stats: Stats | undefined;
  try {
    target = followLinks(path);
    stats = lstatOrUndefined(target);
  } catch (e) {
    throw cannotWrite(path, describeFsError(e));
  }
  if (stats?.isDirectory()) throw cannotWrite(path, "it is a directory");
  if (stats?.isSocket()) throw cannotWrite(path, "it is a socket");
  if (stats && !stats.isFile()) return { kind: "stream", target, stats };
  const folder = dirname(target);
  let folderStats: Stats;
  try {
    folderStats = statSync(folder);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw cannotWrite(path, `the folder '${folder}' ${code === "ENOENT" ? "does not exist" : `cannot be used: ${describeFsError(e)}`}`);
  }
  if (!folderStats.isDirectory()) throw cannotWrite(path, `'${folder}' is not a folder`);
  return { kind: "file", target, stats };
}

const tempName = (target: string) => join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);

/** Throws now what writing `path` would throw later (for files: creates and removes the temporary file). */
function probe(path: string, dest: Destination): void {
  if (dest.kind === "stdout") return;
  try {
    if (dest.kind === "stream") {
      accessSync(dest.target, constants.W_OK);
      return;
    }
    const temp = tempName(dest.target);
    rmSync(temp, { force: true });
    closeSync(openSync(temp, "wx"));
    rmSync(temp, { force: true });
  } catch (e) {
    throw cannotWrite(path, describeFsError(e));
  }
}

/** A key equal for two paths exactly when they are the same file; undefined when sharing it harms nothing. */
function fileKey(dest: Destination): string | undefined {
  // Terminals, /dev/null and standard output can take any number of writers.
  if (dest.kind === "stdout") return undefined;
  if (dest.kind === "stream") return dest.stats.isCharacterDevice() ? undefined : `${dest.stats.dev}:${dest.stats.ino}`;
  if (dest.stats) return `${dest.stats.dev}:${dest.stats.ino}`;
  // A name still free: the same file as another free name when they meet in the same real folder.
  let folder = resolve(dirname(dest.target));
  try {
    folder = realpathSync(folder);
  } catch {
    // destination() found the folder a moment ago; if it went since, writing will say so.
  }
  return `new:${join(folder, basename(dest.target))}`;
}

/** The file an input path reads, as a key comparable with fileKey; undefined when it is not a file. */
function inputKey(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return stats.isCharacterDevice() ? undefined : `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined; // missing: reading it fails with its own message
  }
}

const described = (p: NamedPath) => `${p.flag} '${p.path}'`;

/**
 * Refuses, before any work, an output that could never be written, or that is the same file as
 * an input or as another output. Outputs and inputs with no path are skipped.
 */
export function checkOutputs(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): void {
  const seen = new Map<string, NamedPath>();
  for (const input of inputs) {
    if (input.path === undefined) continue;
    const key = inputKey(input.path);
    if (key !== undefined && !seen.has(key)) seen.set(key, input);
  }
  for (const output of outputs) {
    if (output.path === undefined) continue;
    const dest = destination(output.path);
    const key = fileKey(dest);
    const earlier = key === undefined ? undefined : seen.get(key);
    if (earlier) throw new CliError(`${described(output)} is the same file as ${described(earlier)}; choose another name`);
    probe(output.path, dest);
    if (key !== undefined) seen.set(key, output);
  }
}

/** How a status line names the output (escaped: see shownName). */
export function outputName(path: string): string {
  return path === "-" ? "standard output" : shownName(path);
}

/** What to write: text, bytes (an ONNX file, weight shards), or a function that writes text in pieces (weights of any size). */
export type Content = string | Uint8Array | ((write: (piece: string) => void) => void);

/** Writes all of `text` to an open file. */
function writeAll(fd: number, text: Content): void {
  if (typeof text === "function") text((piece) => writeFileSync(fd, piece));
  else writeFileSync(fd, text);
}

/** Writes `text` to `path` as the header says: in place for streams, else atomically. */
export function writeOutput(path: string, text: Content): void {
  const dest = destination(path);
  if (dest.kind === "stdout") {
    if (typeof text === "function") text((piece) => process.stdout.write(piece));
    else process.stdout.write(text);
    return;
  }
  if (dest.kind === "stream") {
    let fd: number | undefined;
    try {
      fd = openSync(dest.target, constants.O_WRONLY);
      writeAll(fd, text);
    } catch (e) {
      throw cannotWrite(path, describeFsError(e));
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return;
  }
  replaceFile(path, dest.target, dest.stats, text);
}

/** Writes a temporary file beside `target` with the old file's mode (and owner, if allowed) and renames it over `target`. */
function replaceFile(path: string, target: string, old: Stats | undefined, text: Content): void {
  const temp = tempName(target);
  let fd: number | undefined;
  try {
    rmSync(temp, { force: true });
    fd = openSync(temp, "wx", old ? old.mode & 0o7777 : 0o666);
    if (old) {
      const now = fstatSync(fd);
      if (now.uid !== old.uid || now.gid !== old.gid) {
        try {
          fchownSync(fd, old.uid, old.gid);
        } catch {
          // Only root may give a file away; the file becomes ours, as with any editor's save.
        }
      }
      // After chown (which clears set-id bits), and exactly: the umask does not apply here.
      fchmodSync(fd, old.mode & 0o7777);
    }
    writeAll(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw cannotWrite(path, describeFsError(e));
  }
}
