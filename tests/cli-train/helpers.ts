// Shared by the nnc train / predict / evaluate tests: run `node bin/nnc.js …` as a user would,
// and make small deterministic data files.
//
//   const r = await runNnc(["train", "m.nn", "--data", "d.csv"], { cwd: dir });
//   r.code; r.stdout; r.stderr;

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const NNC = join(ROOT, "bin", "nnc.js");
export const HERE = fileURLToPath(new URL(".", import.meta.url));

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts nnc (after Node's own `nodeArgs`); `onStdout` sees the output so far after every chunk (e.g. to send a signal). */
export function startNnc(args: string[], cwd: string, onStdout?: (soFar: string, child: ChildProcess) => void, nodeArgs: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, [...nodeArgs, NNC, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NNC_DEBUG: "" } });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export const runNnc = (args: string[], cwd: string) => startNnc(args, cwd);

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `nnc-${prefix}-`));
}

/** Two separable clusters around (-1, -1) → 0 and (1, 1) → 1, from a fixed formula (no randomness). */
export function blobRows(n: number, offset = 0): number[][] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset;
    const label = i % 2;
    const centre = label === 1 ? 1 : -1;
    // Deterministic scatter in [-0.6, 0.6] from the golden-ratio sequence.
    const u = ((i * 0.6180339887) % 1) * 1.2 - 0.6;
    const v = ((i * 0.7548776662) % 1) * 1.2 - 0.6;
    return [centre + u, centre + v, label];
  });
}

export function toCsv(header: string[], rows: number[][]): string {
  return `${header.join(",")}\n${rows.map((r) => r.join(",")).join("\n")}\n`;
}
