// Imports go one way: runtime/ ← ir ← ops ← elaborate ← passes ← lower ← print ← emit ←
// explain, data ← interop ← cli (each layer may use the ones before it, never one after), and no file
// imports itself through a circle. runtime/ imports nothing of the compiler: it is copied
// into generated modules. A wrong-way import or a circle fails here, naming the files.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/examples.js";

/** Layers from the bottom up; a path belongs to the first prefix it starts with. */
const LAYERS: [number, string[]][] = [
  [0, ["runtime/"]],
  [1, ["compiler/ast.ts", "compiler/diagnostics.ts", "compiler/suggest.ts", "compiler/own.ts", "compiler/version.ts"]],
  [2, ["compiler/parse.ts", "compiler/syntax-context.ts", "compiler/syntax-errors.ts", "compiler/grammar/"]],
  [2, ["compiler/ir/"]],
  [3, ["compiler/ops/"]],
  [4, ["compiler/elaborate/"]],
  [5, ["compiler/passes/", "compiler/interpret.ts"]],
  [6, ["compiler/lower/"]],
  [7, ["compiler/print/"]],
  [8, ["compiler/emit/", "compiler/compile.ts"]],
  [9, ["compiler/explain/", "compiler/data/"]],
  [10, ["compiler/interop/"]],
  [11, ["compiler/cli/"]],
];

function layerOf(path: string): { rank: number; group: number } {
  for (const [group, [rank, prefixes]] of LAYERS.entries()) for (const p of prefixes) if (path.startsWith(p)) return { rank, group };
  throw new Error(`${path} belongs to no layer: add it to LAYERS in tests/architecture/imports.test.ts`);
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Relative imports of a file (static, re-exports and dynamic), as repository paths of .ts files. */
function importsOf(path: string): string[] {
  const text = readFileSync(join(ROOT, path), "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs
    .filter((s) => s.startsWith("."))
    .map((s) => relative(ROOT, resolve(ROOT, dirname(path), s)).replace(/\.js$/, ".ts"));
}

const files = [...sources("compiler"), ...sources("runtime")];
const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe("imports", () => {
  it("go from higher layers to lower ones only", () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      const from = layerOf(file);
      for (const dep of deps) {
        const to = layerOf(dep);
        if (to.rank > from.rank || (to.rank === from.rank && to.group !== from.group)) wrong.push(`${file} imports ${dep}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("form no circles", () => {
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      path.push(file);
      for (const dep of graph.get(file) ?? []) {
        if (state.get(dep) === "open") circles.push([...path.slice(path.indexOf(dep)), dep].join(" -> "));
        else if (!state.has(dep)) visit(dep);
      }
      path.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  it("the checker sees a wrong-way import", () => {
    expect(layerOf("compiler/ops/linalg.ts").rank).toBeLessThan(layerOf("compiler/lower/lower.ts").rank);
    expect(importsOf("compiler/lower/lower.ts")).toContain("compiler/ops/registry.ts");
  });
});
