// Temporary folders for generated modules (compiler/cli/module-folder.ts): a run killed while it
// imports its module (SIGKILL, or Ctrl-C before training starts) leaves its folder; the next
// run removes it. Only folders of ended processes, older than a minute, owned by this user and
// named as nnc names them are removed.

import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeLeftBehindFolders, STALE_AFTER_MS } from "../../compiler/emit/module-folder.js";
import { HERE, NNC } from "../cli-train/helpers.js";

const scratch = mkdtempSync(join(tmpdir(), "nnc-temp-folders-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Module folders (of any nnc version: `nnc-XXXXXX` before, `nnc-module-PID-XXXXXX` now) in `dir`. */
const moduleFolders = (dir: string) => readdirSync(dir).filter((f) => /^nnc-(module-\d+-)?[A-Za-z0-9]{6}$/.test(f));

/** Runs `nnc check` with its temp folder in `temp`; with `signal`, sends it the moment a module folder appears. */
function check(temp: string, signal?: NodeJS.Signals): Promise<{ code: number | null; killed: boolean }> {
  copyFileSync(join(HERE, "blobs.nn"), join(temp, "blobs.nn"));
  const child = spawn(process.execPath, [NNC, "check", "blobs.nn", "--points", "1"], { cwd: temp, env: { ...process.env, TMPDIR: temp }, stdio: "ignore" });
  let killed = false;
  const watcher = signal
    ? watch(temp, (_event, name) => {
        if (!killed && name && moduleFolders(temp).includes(name)) {
          killed = child.kill(signal);
        }
      })
    : undefined;
  return new Promise((resolve) =>
    child.on("close", (code) => {
      watcher?.close();
      resolve({ code, killed });
    }),
  );
}

describe("temporary module folders", () => {
  it.each(["SIGKILL", "SIGINT"] as const)("a run killed by %s while importing leaves a folder that the next run removes", async (signal) => {
    const temp = join(scratch, signal);
    mkdirSync(temp);
    // The signal must land while the folder exists (an import takes a fraction of a second).
    let left: string[] = [];
    for (let attempt = 0; attempt < 5 && left.length === 0; attempt++) {
      const run = await check(temp, signal);
      expect(run.code).not.toBe(0);
      left = moduleFolders(temp);
    }
    expect(left.length, "no run was killed while its module folder existed").toBeGreaterThan(0);
    // A minute later, any run that loads a module clears them.
    const past = new Date(Date.now() - 2 * STALE_AFTER_MS);
    for (const f of left) utimesSync(join(temp, f), past, past);
    expect((await check(temp)).code).toBe(0);
    expect(moduleFolders(temp)).toEqual([]);
  });

  it("removes only this user's module folders of ended processes, older than a minute", () => {
    const temp = join(scratch, "unit");
    mkdirSync(temp);
    const ended = spawnSync(process.execPath, ["-e", ""]).pid!;
    const past = new Date(Date.now() - 2 * STALE_AFTER_MS);
    const folders = {
      old: `nnc-module-${ended}-aB3xYz`,
      young: `nnc-module-${ended}-young1`,
      running: `nnc-module-${process.ppid}-alive1`,
      own: `nnc-module-${process.pid}-mine11`,
      otherTool: `nnc-cli-${ended}Ab`,
      otherShape: `nnc-module-${ended}-toolongname`,
    };
    for (const [key, name] of Object.entries(folders)) {
      mkdirSync(join(temp, name));
      writeFileSync(join(temp, name, "model.mts"), "");
      if (key !== "young") utimesSync(join(temp, name), past, past);
    }
    const saved = process.env["TMPDIR"];
    process.env["TMPDIR"] = temp;
    try {
      removeLeftBehindFolders();
    } finally {
      if (saved === undefined) delete process.env["TMPDIR"];
      else process.env["TMPDIR"] = saved;
    }
    const kept = Object.entries(folders).filter(([, name]) => existsSync(join(temp, name))).map(([key]) => key);
    expect(kept).toEqual(["young", "running", "own", "otherTool", "otherShape"]);
  });
});
