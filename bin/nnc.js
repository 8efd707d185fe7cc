#!/usr/bin/env node
// The `nnc` command. Runs the plain-JavaScript build in dist/ (made by `npm install` through the
// `prepare` script, or `npm run build`) when it matches the sources; otherwise the TypeScript
// sources through tsx's loader, so a checkout without a build, or with edited sources, still
// works (only slower to start: tsx and the TypeScript transforms cost about a second).
import { readdirSync, readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);

/** True when dist/ was built from exactly the current sources (same files, sizes, mtimes). */
function distIsFresh() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(new URL("dist/stamp.json", root), "utf8"));
  } catch {
    return false;
  }
  let count = 0;
  for (const tree of ["compiler", "runtime"]) {
    for (const rel of readdirSync(new URL(`${tree}/`, root), { recursive: true })) {
      const path = `${tree}/${rel.split("\\").join("/")}`;
      if (!((path.endsWith(".ts") && !path.endsWith(".d.ts") && !path.includes(".test.")) || path.endsWith(".ohm"))) continue;
      const entry = stamp[path];
      if (!entry) return false;
      const st = statSync(new URL(path, root));
      if (st.size !== entry[0] || Math.floor(st.mtimeMs) !== entry[1]) return false;
      count++;
    }
  }
  return count === Object.keys(stamp).length;
}

let main;
if (!process.env.NNC_FROM_SOURCE && distIsFresh()) {
  ({ main } = await import("../dist/compiler/cli/main.js"));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../compiler/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
