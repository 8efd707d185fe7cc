// A fresh clone after `npm install`, for tests that run documented commands as a user would:
// a temporary copy of this checkout (without .git; file times kept, so dist/ stays current)
// with node_modules linked in. Nothing the commands write can reach the repository.
//
//   const repo = copyOfRepo("readme");
//   spawn("bash", ["-c", command], { cwd: repo, env: userEnv(scratchDir) });
//   expect(changedFiles(repo, before)).toEqual([]);
//   removeCopy(repo);

import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Top-level entries a clone does not have (or that `npm install` makes, linked instead). */
const NOT_COPIED = new Set(["node_modules", ".git", "tmp", "out", ".dist-tmp"]);

export function copyOfRepo(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nnc-${prefix}-`));
  for (const name of readdirSync(REPO_ROOT)) {
    if (NOT_COPIED.has(name)) continue;
    cpSync(join(REPO_ROOT, name), join(dir, name), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

/**
 * The environment of a user's terminal for commands run in a copy: without the npm_* variables
 * `npm test` sets (npx would take this checkout for the project), with npm's cache in `scratch`
 * (the first `npx nnc` in a project installs it there, running `prepare`), and offline.
 */
export function userEnv(scratch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  return { ...env, npm_config_cache: join(scratch, "npm-cache"), npm_config_offline: "true", npm_config_update_notifier: "false", NNC_DEBUG: "" };
}

export function removeCopy(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Every file under `dir` (node_modules aside) with its size and modification time. */
export function fileSnapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (rel === "node_modules") continue;
      if (entry.isDirectory()) walk(rel);
      else {
        const s = statSync(join(dir, rel));
        out.set(rel, `${s.size} ${s.mtimeMs}`);
      }
    }
  };
  walk("");
  return out;
}

/** Files added, removed or changed since `before`, as "+ path", "- path", "~ path". */
export function changedFiles(dir: string, before: Map<string, string>, ignore: (path: string) => boolean = () => false): string[] {
  const after = fileSnapshot(dir);
  const changes: string[] = [];
  for (const [path, stamp] of after) {
    if (ignore(path)) continue;
    if (!before.has(path)) changes.push(`+ ${path}`);
    else if (before.get(path) !== stamp) changes.push(`~ ${path}`);
  }
  for (const path of before.keys()) if (!after.has(path) && !ignore(path)) changes.push(`- ${path}`);
  return changes.sort();
}
