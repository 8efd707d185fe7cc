// The `nnc` command with bad files, run as a subprocess (bin/nnc.js): a missing or unreadable
// input, an output that is a directory, in a missing folder or not writable, an output equal to
// the input, a model with errors. Each gets one clear line (or a located diagnostic), exit
// code 1 (2 for a malformed command line), no stack trace, and leaves the output folder exactly
// as it was: no output, no temporary file, an existing output untouched.

import { execFile } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { compile } from "../../compiler/compile.js";

const NNC = fileURLToPath(new URL("../../bin/nnc.js", import.meta.url));
const XOR = fileURLToPath(new URL("../../dsl-examples/xor.nn", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function nnc(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NNC, ...args], { cwd, env: { ...process.env, NNC_DEBUG: "" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Every entry under `dir`, with sizes and mtimes, to prove a failed run changed nothing. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const s = statSync(join(dir, name));
    out.push(`${name} ${s.isDirectory() ? "dir" : s.size} ${s.mtimeMs}`);
  }
  return out.sort();
}

let dir = "";
const isRoot = process.getuid?.() === 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "nnc-cli-"));
  copyFileSync(XOR, join(dir, "xor.nn"));
  writeFileSync(join(dir, "bad.nn"), "model bad\ninput x[2]\ntarget y[1]\nout = dense(x, 1)\nloss mse(out, z)\n");
  writeFileSync(join(dir, "existing.ts"), "// an earlier output\n");
  mkdirSync(join(dir, "out-dir"));
  mkdirSync(join(dir, "locked"));
  chmodSync(join(dir, "locked"), 0o500);
  linkSync(join(dir, "xor.nn"), join(dir, "xor-link.nn"));
  // The .d.ts that -o dts-link.js would write beside it is the model file under another name.
  linkSync(join(dir, "xor.nn"), join(dir, "dts-link.d.ts"));
});

afterAll(() => {
  chmodSync(join(dir, "locked"), 0o700);
  rmSync(dir, { recursive: true, force: true });
});

// Root ignores file modes; /sys refuses new files even to root.
const unwritable = () => (isRoot ? (existsSync("/sys/kernel") ? "/sys/kernel/nnc-test.ts" : "") : join(dir, "locked", "out.ts"));

describe("nnc with bad files", () => {
  it("fails cleanly on every bad input or output path, changing nothing on disk", async () => {
    const before = snapshot(dir);
    const cases: { id: string; args: string[]; stderr: RegExp; code?: number }[] = [
      { id: "C1", args: ["missing.nn", "-o", "out.ts"], stderr: /^nnc: error: cannot read 'missing\.nn': no such file\n$/ },
      { id: "C1", args: ["out-dir", "-o", "out.ts"], stderr: /^nnc: error: cannot read 'out-dir': it is a directory\n$/ },
      { id: "C1", args: ["xor.nn/inner.nn", "-o", "out.ts"], stderr: /^nnc: error: cannot read 'xor\.nn\/inner\.nn': a part of the path is not a folder \(ENOTDIR\)\n$/ },
      { id: "C2", args: ["xor.nn", "-o", "out-dir"], stderr: /^nnc: error: cannot write 'out-dir': it is a directory\n$/ },
      { id: "C2", args: ["xor.nn", "-o", "no-such-folder/out.ts"], stderr: /^nnc: error: cannot write 'no-such-folder\/out\.ts': the folder 'no-such-folder' does not exist\n$/ },
      { id: "C3", args: ["xor.nn", "-o", "xor.nn"], stderr: /^nnc: error: -o 'xor\.nn' is the same file as the model file 'xor\.nn'; choose another name\n$/ },
      { id: "C3", args: ["xor.nn", "-o", "xor-link.nn"], stderr: /^nnc: error: -o 'xor-link\.nn' is the same file as the model file 'xor\.nn'; choose another name\n$/ },
      { id: "C3", args: ["xor.nn", "-o", "dts-link.js"], stderr: /^nnc: error: the \.d\.ts beside -o 'dts-link\.d\.ts' is the same file as the model file 'xor\.nn'; choose another name\n$/ },
      { id: "C4", args: ["xor.nn"], stderr: /^nnc: error: missing -o OUTPUT\.ts .*See 'nnc help compile'\.\n$/, code: 2 },
      { id: "C4", args: ["xor.nn", "-o", "out.ts", "--bogus"], stderr: /^nnc: error: Unknown option '--bogus'\. See 'nnc help compile'\.\n$/, code: 2 },
      { id: "C5", args: ["bad.nn", "-o", "existing.ts"], stderr: /^bad\.nn:5:15: error: unknown name 'z'; did you mean 'x'\?\n {2}5 \| loss mse\(out, z\)\n {4}\| {15}\^\n$/ },
      ...["out.txt", "out", "out.cjs", "out.cts", "out.JS"].map((name) => ({
        id: "C9",
        args: ["xor.nn", "-o", name],
        stderr: new RegExp(`^nnc: error: cannot tell what to write to '${name.replace(".", "\\.")}': name it \\.ts or \\.mts \\(TypeScript\\), or \\.js or \\.mjs \\(JavaScript, with a \\.d\\.ts beside it\\)\\. See 'nnc help compile'\\.\n$`),
        code: 2,
      })),
      { id: "C9", args: ["xor.nn", "-o", "xor.d.ts"], stderr: /^nnc: error: -o 'xor\.d\.ts': a \.d\.ts file holds only types; name the module \.ts, or \.js for JavaScript with its \.d\.ts beside it\. See 'nnc help compile'\.\n$/, code: 2 },
    ];
    const target = unwritable();
    if (target) cases.push({ id: "C2", args: ["xor.nn", "-o", target], stderr: /^nnc: error: cannot write '.*': permission denied \(EACCES\)\n$/ });
    const runs = await Promise.all(cases.map((c) => nnc(c.args, dir)));
    runs.forEach((run, i) => {
      const c = cases[i]!;
      expect({ args: c.args.join(" "), code: run.code }).toEqual({ args: c.args.join(" "), code: c.code ?? 1 });
      expect(run.stderr).toMatch(c.stderr);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
    expect(snapshot(dir)).toEqual(before);
    expect(readFileSync(join(dir, "existing.ts"), "utf8")).toBe("// an earlier output\n");
  });

  it("writes the module atomically on success: what compile() returns, and no temporary file", async () => {
    const run = await nnc(["xor.nn", "-o", "existing.ts"], dir);
    expect(run.code).toBe(0);
    const written = readFileSync(join(dir, "existing.ts"), "utf8");
    expect(written).toBe((await compile(readFileSync(XOR, "utf8"), "xor.nn")).code);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("writes a JavaScript module and its .d.ts for -o NAME.js and NAME.mjs: what compile() returns", async () => {
    const runs = await Promise.all([nnc(["xor.nn", "-o", "xor.js"], dir), nnc(["xor.nn", "-o", "xor-m.mjs", "--precision", "f32"], dir)]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs[0]!.stderr).toMatch(/^nnc: xor\.nn -> xor\.js and xor\.d\.ts \(4 tensors, [\d.]+ KB; kernels: per sample, \w+(?:, fused training step)?, f64; \d+ flops per prediction, \d+ per training sample\)\n$/);
    expect(runs[1]!.stderr).toMatch(/^nnc: xor\.nn -> xor-m\.mjs and xor-m\.d\.mts \(/);
    const js = await compile(readFileSync(XOR, "utf8"), "xor.nn", { language: "js" });
    expect(readFileSync(join(dir, "xor.js"), "utf8")).toBe(js.code);
    expect(readFileSync(join(dir, "xor.d.ts"), "utf8")).toBe(js.declarations);
    const f32 = await compile(readFileSync(XOR, "utf8"), "xor.nn", { language: "js", precision: "f32" });
    expect(readFileSync(join(dir, "xor-m.mjs"), "utf8")).toBe(f32.code);
    expect(readFileSync(join(dir, "xor-m.d.mts"), "utf8")).toBe(f32.declarations);
  });
});
