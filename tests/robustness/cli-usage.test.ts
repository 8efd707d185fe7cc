// The command line's conventions (docs/errors.md C4, C6; README "Exit codes"): `nnc help
// COMMAND`, `nnc COMMAND --help` and `-h` for every subcommand, each listing exactly the options
// the command accepts; `nnc --version`; "did you mean" for a misspelled subcommand or option of
// every command; exit codes 0 (success), 1 (an error in the model, data or files) and 2 (a
// malformed command line), through the real `nnc` launcher.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../../compiler/cli/commands.js";
import { USAGE, main } from "../../compiler/cli/main.js";
import { editDistance } from "../../compiler/suggest.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NNC = join(ROOT, "bin", "nnc.js");
const PARITY = join(ROOT, "dsl-examples", "parity.nn");
const dir = mkdtempSync(join(tmpdir(), "nnc-cli-usage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** main() in this process, with what it prints. */
async function nncInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    const code = await main(args);
    return { code, stdout: out.mock.calls.map((c) => String(c[0])).join(""), stderr: err.mock.calls.map((c) => String(c[0])).join("") };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** bin/nnc.js as a user runs it. */
function nncProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NNC, ...args], { cwd: dir, env: { ...process.env, NNC_DEBUG: "" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

afterEach(() => vi.restoreAllMocks());

const names = Object.keys(COMMANDS);

describe("help", () => {
  it.each(names)("nnc help %s, nnc %s --help and -h print that command's options", async (name) => {
    const viaHelp = await nncInProcess(["help", name]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stderr).toBe("");
    // Every command reads a model file, but for import, which reads another tool's file.
    expect(viaHelp.stdout).toMatch(new RegExp(`^usage:\\n {2}nnc ${name === "compile" ? "\\[compile\\]" : name} ${name === "import" ? "FILE" : "MODEL\\.nn"}`));
    const prefix = name === "compile" ? ["compile"] : [name];
    for (const flag of ["--help", "-h"]) {
      for (const args of [[...prefix, flag], [...prefix, "model.nn", flag]]) {
        expect(await nncInProcess(args), args.join(" ")).toEqual({ code: 0, stdout: viaHelp.stdout, stderr: "" });
      }
    }
  });

  it.each(names)("the help of %s names every option it accepts, and no other", (name) => {
    const { usage, options } = COMMANDS[name]!;
    const accepted = Object.keys(options).filter((o) => o !== "no-format"); // no-format: a silent old spelling
    const shown = new Set([...usage.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!));
    const shownShort = (o: string) => {
      const short = (options[o] as { short?: string }).short;
      return short !== undefined && new RegExp(`[\\s\\[]-${short} `).test(usage);
    };
    expect(accepted.filter((o) => !shown.has(o) && !shownShort(o)), "accepted but not in the help").toEqual([]);
    expect([...shown].filter((o) => !(o in options)), "in the help but not accepted").toEqual([]);
  });

  it("nnc help and nnc --help list every command; nnc alone prints them as a usage error", async () => {
    for (const args of [["help"], ["--help"], ["-h"]]) expect(await nncInProcess(args)).toEqual({ code: 0, stdout: USAGE, stderr: "" });
    for (const name of names) expect(USAGE).toContain(COMMANDS[name]!.usage);
    expect(await nncInProcess([])).toEqual({ code: 2, stdout: "", stderr: USAGE });
  });

  it("nnc --version prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(await nncInProcess(["--version"])).toEqual({ code: 0, stdout: `nnc ${version}\n`, stderr: "" });
  });
});

describe("did you mean", () => {
  it("[C6] a misspelled subcommand is a usage error with the command it resembles, not a compile", async () => {
    const r = await nncInProcess(["trian", "dsl-examples/parity.nn", "--data", "iris"]);
    expect(r).toEqual({ code: 2, stdout: "", stderr: "nnc: error: unknown command 'trian'; did you mean 'train'? See 'nnc help'.\n" });
    // Every command, with a letter dropped or two swapped.
    for (const name of [...names, "help"]) {
      for (const typo of [name.slice(0, -1), name[0]! + name[2]! + name[1]! + name.slice(3)]) {
        const nearest = [...names, "help"].filter((n) => editDistance(typo, n) < editDistance(typo, name));
        if (nearest.length > 0) continue; // another command is nearer this typo
        const t = await nncInProcess([typo, "m.nn"]);
        expect({ typo, code: t.code, stderr: t.stderr }).toEqual({ typo, code: 2, stderr: expect.stringContaining(`unknown command '${typo}'; did you mean '`) });
      }
    }
    expect((await nncInProcess(["help", "trian"])).stderr).toBe("nnc: error: unknown command 'trian'; did you mean 'train'? See 'nnc help'.\n");
    expect(await nncInProcess(["help", "train", "predict"])).toEqual({ code: 2, stdout: "", stderr: "nnc: error: nnc help takes one command name, got train predict. See 'nnc help'.\n" });
  });

  it("[C6] a property every JavaScript object has is no command either", async () => {
    // (Looked up in a plain object, `nnc toString` found Object.prototype.toString: an internal error.)
    for (const word of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
      for (const args of [[word], [word, "m.nn"], ["help", word]]) {
        const r = await nncInProcess(args);
        expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 2, stderr: expect.stringContaining(`nnc: error: unknown command '${word}'`) });
      }
    }
  });

  it("[C6] a word that is no command and no file lists the commands", async () => {
    const r = await nncInProcess(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "nnc: error: unknown command 'frobnicate': the commands are compile, train, predict, evaluate, grad, graph, check, import, export, help, and a model file is compiled with nnc MODEL.nn -o MODEL.ts. See 'nnc help'.\n",
    );
    // A path is a model file, even a missing one: that error is the file's (exit 1).
    expect(await nncInProcess(["missing.nn", "-o", "m.ts"])).toMatchObject({ code: 1, stderr: "nnc: error: cannot read 'missing.nn': no such file\n" });
  });

  it.each(names)("[C4] a misspelled option of %s suggests the option", async (name) => {
    const prefix = name === "compile" ? [] : [name];
    for (const option of Object.keys(COMMANDS[name]!.options)) {
      const typo = `--${option.slice(0, -1)}`;
      const r = await nncInProcess([...prefix, "model.nn", typo, "1"]);
      expect({ typo, code: r.code, stderr: r.stderr }).toEqual({
        typo,
        code: 2,
        stderr: `nnc: error: Unknown option '${typo}'; did you mean '--${option}'? See 'nnc help ${name}'.\n`,
      });
    }
  });

  it("[C4] top-level options are suggested too", async () => {
    expect((await nncInProcess(["--verison"])).stderr).toBe("nnc: error: Unknown option '--verison'; did you mean '--version'? See 'nnc help'.\n");
    expect((await nncInProcess(["train", "m.nn", "--hlep"])).stderr).toBe("nnc: error: Unknown option '--hlep'; did you mean '--help'? See 'nnc help train'.\n");
  });
});

describe("exit codes, through bin/nnc.js", () => {
  it("[C4] 0 on success, 1 for an error in the model or files, 2 for a malformed command line", async () => {
    const [ok, missing, usage, value, extra] = await Promise.all([
      nncProcess([PARITY, "-o", join(dir, "parity.ts")]),
      nncProcess(["missing.nn", "-o", "m.ts"]),
      nncProcess(["train", PARITY, "--epoch", "3"]),
      nncProcess([PARITY, "-o", "x.ts", "--unroll", "sometimes"]),
      nncProcess(["grad", PARITY, PARITY]),
    ]);
    expect(ok.code).toBe(0);
    expect(missing).toMatchObject({ code: 1, stderr: "nnc: error: cannot read 'missing.nn': no such file\n" });
    expect(usage).toMatchObject({ code: 2, stderr: "nnc: error: Unknown option '--epoch'; did you mean '--epochs'? See 'nnc help train'.\n" });
    expect(value).toMatchObject({ code: 2, stderr: "nnc: error: --unroll must be one of auto, always, never, got 'sometimes'. See 'nnc help compile'.\n" });
    expect(extra).toMatchObject({ code: 2, stderr: `nnc: error: expected one model file, got ${PARITY} ${PARITY}. See 'nnc help grad'.\n` });
  });

  it("the README states the same exit codes", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8").replace(/\s+/g, " ");
    expect(readme).toContain("Exit codes: **0** success; **1** an error in the model file, the data, the weights or a file path");
    expect(readme).toContain("**2** a malformed command line");
    expect(USAGE).toContain("exit codes: 0 success; 1 an error in the model, the data or a file; 2 a malformed command line");
  });
});
