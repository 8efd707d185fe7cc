// `npm run build` (also the `prepare` script, so it runs on `npm install` / `npm ci`): writes
// dist/, a plain-JavaScript copy of compiler/ and runtime/ that bin/nnc.js runs without tsx,
// plus dist/runtime-index.json (the runtime declarations, indexed once here with ts-morph so a
// compile never loads ts-morph), the grammar as an ohm recipe, and dist/stamp.json (size and mtime of every source, so the
// launcher falls back to the sources when they changed after the build).
//
//   node --import tsx scripts/build.ts      # ~2 s

import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ts } from "ts-morph";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TREES = ["compiler", "runtime"];

/** Source files the build reads: every .ts (tests excluded) and the grammar. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  for (const tree of TREES) {
    for (const rel of readdirSync(join(root, tree), {
      recursive: true,
    }) as string[]) {
      const path = `${tree}/${rel.split("\\").join("/")}`;
      if (
        (path.endsWith(".ts") &&
          !path.endsWith(".d.ts") &&
          !path.includes(".test.")) ||
        path.endsWith(".ohm")
      )
        files.push(path);
    }
  }
  return files.sort();
}

const staging = join(ROOT, ".dist-tmp");
try {
  await build();
} catch (e) {
  // Never fail `npm install` over it: without dist/, bin/nnc.js runs the sources through tsx.
  rmSync(staging, { recursive: true, force: true });
  console.warn(
    `nnc build skipped (nnc will run from source, slower to start): ${(e as Error).message}`,
  );
}

async function build(): Promise<void> {
  rmSync(staging, { recursive: true, force: true });
  const files = sourceFiles(ROOT);
  const stamp: Record<string, [number, number]> = {};
  for (const rel of files) {
    const from = join(ROOT, rel);
    const to = join(staging, rel);
    mkdirSync(dirname(to), { recursive: true });
    const st = statSync(from);
    stamp[rel] = [st.size, Math.floor(st.mtimeMs)];
    // Sources are copied too: runtime-bundle reads runtime/*.ts, and a few CLI paths hand .ts files to tsx.
    copyFileSync(from, to);
    if (rel.endsWith(".ts")) {
      const js = ts.transpileModule(readFileSync(from, "utf8"), {
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          verbatimModuleSyntax: false,
          isolatedModules: true,
        },
        fileName: rel,
      }).outputText;
      writeFileSync(to.replace(/\.ts$/, ".js"), js);
    }
  }
  writeFileSync(
    join(staging, "package.json"),
    JSON.stringify({ type: "module", private: true }) + "\n",
  );

  // The runtime index, computed by the transpiled bundler itself over the copied runtime/.
  const bundler = (await import(
    join(staging, "compiler/emit/runtime-bundle.js")
  )) as typeof import("../compiler/emit/runtime-bundle.js");
  writeFileSync(
    join(staging, "runtime-index.json"),
    JSON.stringify(bundler.serializeRuntimeIndex()),
  );
  writeFileSync(join(staging, "stamp.json"), JSON.stringify(stamp));

  // The grammar as an ohm recipe (parse.ts loads it in ~10 ms instead of compiling nn.ohm).
  const ohm = await import("ohm-js");
  const grammar = ohm.grammar(
    readFileSync(join(ROOT, "compiler/grammar/nn.ohm"), "utf8"),
  );
  writeFileSync(
    join(staging, "compiler/grammar/nn.ohm-recipe.json"),
    (grammar as unknown as { toRecipe(): string }).toRecipe(),
  );

  rmSync(join(ROOT, "dist"), { recursive: true, force: true });
  renameSync(staging, join(ROOT, "dist"));
  console.log(
    `dist/: ${files.length} sources transpiled, runtime index and grammar recipe written`,
  );
}
