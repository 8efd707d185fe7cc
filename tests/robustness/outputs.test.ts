// compiler/cli/outputs.ts in process: checkOutputs refuses an output that is the same file as
// an input or another output, however it is spelled (symbolic links, hard links, `./`, `..`,
// absolute paths), and nothing else; writeOutput writes devices and FIFOs in place, replaces a
// symbolic link's target and not the link, and keeps a file's mode. The collision property is
// judged against this file's own record of which spelling names which file, not against the
// code under test.

import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../../compiler/cli/io.js";
import { checkOutputs, writeOutput } from "../../compiler/cli/outputs.js";

const isRoot = process.getuid?.() === 0;
let dir = "";
let cwd = "";

/** Every spelling used below, with the file it names (E*: existing files, N*: names still free). */
const SPELLINGS: Record<string, string> = {};
const EXISTING = ["EA", "EB", "EC", "ED", "EF"];

function spell(file: string, ...paths: string[]) {
  for (const p of paths) SPELLINGS[p] = file;
}

beforeAll(() => {
  cwd = process.cwd();
  dir = mkdtempSync(join(tmpdir(), "nnc-outputs-"));
  process.chdir(dir);
  writeFileSync("a", "a\n");
  writeFileSync("b", "b\n");
  writeFileSync("c", "c\n");
  mkdirSync("sub");
  writeFileSync("sub/d", "d\n");
  execFileSync("mkfifo", ["fifo"]);
  linkSync("a", "a-hard");
  linkSync("sub/d", "d-hard");
  symlinkSync("a", "la");
  symlinkSync("la", "lla");
  symlinkSync("sub", "lsub");
  symlinkSync(join(dir, "b"), "lb-abs");
  symlinkSync("n", "ln"); // dangling: writing through it creates n
  symlinkSync("sub/m", "lm");
  symlinkSync("fifo", "lfifo");
  spell("EA", "a", "./a", "a-hard", "la", "lla", "sub/../a", `${dir}/a`, `${dir}/./lla`);
  spell("EB", "b", "lb-abs", `${dir}/sub/../b`);
  spell("EC", "c", "./c");
  spell("ED", "sub/d", "lsub/d", "d-hard", "./sub/../sub/d");
  spell("EF", "fifo", "lfifo");
  spell("NN", "n", "ln", "./n", `${dir}/n`);
  spell("NM", "sub/m", "lm", "lsub/m");
  spell("NO", "o", "sub/../o");
});

afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

const existing = () => Object.keys(SPELLINGS).filter((p) => EXISTING.includes(SPELLINGS[p]!));
const any = () => Object.keys(SPELLINGS);

describe("checkOutputs", () => {
  it("refuses exactly the outputs that are the same file as an input or an earlier output, however spelled", () => {
    const scenario = fc.record({
      inputs: fc.array(fc.constantFrom(...existing()), { maxLength: 3 }),
      outputs: fc.array(fc.constantFrom(...any()), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(scenario, ({ inputs, outputs }) => {
        const named = (kind: string, paths: string[]) => paths.map((path, i) => ({ flag: `--${kind}${i}`, path }));
        // The oracle: the first output whose file was already named.
        const files = new Map<string, string>();
        inputs.forEach((p, i) => files.has(SPELLINGS[p]!) || files.set(SPELLINGS[p]!, `--in${i} '${p}'`));
        let expected: string | undefined;
        for (const [i, p] of outputs.entries()) {
          const earlier = files.get(SPELLINGS[p]!);
          if (earlier) {
            expected = `--out${i} '${p}' is the same file as ${earlier}; choose another name`;
            break;
          }
          files.set(SPELLINGS[p]!, `--out${i} '${p}'`);
        }
        let message: string | undefined;
        try {
          checkOutputs(named("out", outputs), named("in", inputs));
        } catch (e) {
          if (!(e instanceof CliError)) throw e;
          message = e.message;
        }
        expect(message).toBe(expected);
      }),
      { numRuns: 300 },
    );
    // The checks leave nothing behind (their probe files are removed).
    expect(readdirSync(".").filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("lets terminals, /dev/null and standard output be named more than once", () => {
    expect(() => checkOutputs([{ flag: "-o", path: "/dev/null" }, { flag: "--plot", path: "/dev/null" }], [{ flag: "--data", path: "/dev/null" }])).not.toThrow();
    expect(() => checkOutputs([{ flag: "-o", path: "-" }, { flag: "--plot", path: "-" }], [])).not.toThrow();
  });

  // [C2] every way an output can be unwritable is found before any work, with the reason.
  it.each([
    ["sub", /^cannot write 'sub': it is a directory$/],
    ["lsub", /^cannot write 'lsub': it is a directory$/],
    ["sub/", /^cannot write 'sub\/': it names a folder, not a file$/],
    ["missing/out.ts", /^cannot write 'missing\/out\.ts': the folder 'missing' does not exist$/],
    ["a/out.ts", /^cannot write 'a\/out\.ts': a part of the path is not a folder \(ENOTDIR\)$/],
    ["loop", /^cannot write 'loop': too many levels of symbolic links \(ELOOP\)$/],
    ["ldangling-folder", /^cannot write 'ldangling-folder': the folder '.*\/nowhere' does not exist$/],
  ])("[C2] refuses %s", (path, message) => {
    if (path === "loop") {
      symlinkSync("loop2", "loop");
      symlinkSync("loop", "loop2");
    }
    if (path === "ldangling-folder") symlinkSync("nowhere/x.ts", "ldangling-folder");
    expect(() => checkOutputs([{ flag: "-o", path }], [])).toThrow(message);
  });

  it("[C2] refuses a socket (it cannot be opened for writing)", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, "sock"), resolve));
    try {
      expect(() => checkOutputs([{ flag: "-o", path: "sock" }], [])).toThrow(/^cannot write 'sock': it is a socket$/);
    } finally {
      server.close();
    }
  });

  it.skipIf(isRoot)("[C2] refuses a folder it may not write to", () => {
    mkdirSync("locked");
    chmodSync("locked", 0o500);
    try {
      expect(() => checkOutputs([{ flag: "-o", path: "locked/out.ts" }], [])).toThrow(/^cannot write 'locked\/out\.ts': permission denied \(EACCES\)$/);
    } finally {
      chmodSync("locked", 0o700);
    }
  });
});

describe("writeOutput", () => {
  beforeAll(() => {
    mkdirSync("w");
    process.chdir("w");
  });

  it("replaces a symbolic link's final target, not the link, and creates a dangling link's target", () => {
    writeFileSync("a", "a\n");
    linkSync("a", "a-hard");
    symlinkSync("a", "la");
    symlinkSync("la", "lla");
    writeOutput("lla", "via two links\n");
    expect(lstatSync("lla").isSymbolicLink()).toBe(true);
    expect(lstatSync("la").isSymbolicLink()).toBe(true);
    expect(readFileSync("a", "utf8")).toBe("via two links\n");
    // A hard link is a name like any other: the name written gets the new file.
    expect(readFileSync("a-hard", "utf8")).toBe("a\n");
    mkdirSync("sub");
    symlinkSync("sub/m", "lm");
    writeOutput("lm", "new\n");
    expect(lstatSync("lm").isSymbolicLink()).toBe(true);
    expect(readFileSync("sub/m", "utf8")).toBe("new\n");
    expect(readdirSync(".").filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("keeps a file's mode, whatever the umask", () => {
    for (const mode of [0o600, 0o640, 0o755, 0o400]) {
      writeFileSync("moded", "old\n");
      chmodSync("moded", mode);
      writeOutput("moded", "new\n");
      expect(statSync("moded").mode & 0o7777).toBe(mode);
      expect(readFileSync("moded", "utf8")).toBe("new\n");
    }
  });

  it("writes a FIFO in place: a reader gets the text and the FIFO stays", async () => {
    execFileSync("mkfifo", ["fifo"]);
    symlinkSync("fifo", "lfifo");
    const reader = spawn("cat", ["lfifo"], { stdio: ["ignore", "pipe", "inherit"] });
    let got = "";
    reader.stdout.setEncoding("utf8").on("data", (c: string) => (got += c));
    const closed = new Promise((resolve) => reader.on("close", resolve));
    writeOutput("lfifo", "through the pipe\n");
    await closed;
    expect(got).toBe("through the pipe\n");
    expect(lstatSync("fifo").isFIFO()).toBe(true);
  });

  it("writes a character device in place (a private /dev/null when root may make one)", () => {
    if (isRoot) {
      execFileSync("mknod", ["mynull", "c", "1", "3"]);
      writeOutput("mynull", "gone\n");
      expect(lstatSync("mynull").isCharacterDevice()).toBe(true);
    }
    // Unprivileged, /dev/null cannot be replaced anyway; reach it through a link.
    symlinkSync("/dev/null", "lnull");
    writeOutput("lnull", "gone\n");
    expect(lstatSync("lnull").isSymbolicLink()).toBe(true);
    expect(statSync("/dev/null").isCharacterDevice()).toBe(true);
  });
});
