// The private temporary folder a generated module is imported from (see load-module.ts):
// `nnc-module-PID-XXXXXX` in the system temp folder, removed right after the import. A run
// killed during the import (SIGKILL, or Ctrl-C before training starts) cannot remove its own,
// so each new one first removes those left by processes that are gone.
//
//   const dir = makeModuleFolder();   // /tmp/nnc-module-4242-Ab3xYz
//   …write, import…
//   rmSync(dir, { recursive: true, force: true });

import { lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "nnc-module-";
const LEFT_BEHIND = /^nnc-module-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * A folder is left behind when its process is gone and it is older than this. The age guards
 * against a process in another PID namespace (a container sharing /tmp) whose PID we cannot
 * see: its import takes seconds, not a minute.
 */
export const STALE_AFTER_MS = 60_000;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

/** Removes this user's module folders whose process has ended; never fails. */
export function removeLeftBehindFolders(now = Date.now()): void {
  const root = tmpdir();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(LEFT_BEHIND.exec(name)?.[1]);
    if (!pid || pid === process.pid || isRunning(pid)) continue;
    const path = join(root, name);
    try {
      const stats = lstatSync(path);
      if (!stats.isDirectory() || stats.uid !== process.getuid?.() || now - stats.mtimeMs < STALE_AFTER_MS) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run removed it first, or it is not ours to remove.
    }
  }
}

/** A new private folder for one import, after removing the ones earlier runs left behind. */
export function makeModuleFolder(): string {
  removeLeftBehindFolders();
  return mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
}
