// Writes tests/equivalence/recorded.json: what every case of cases.ts computes with the compiler
// as it is now (NaN and ±Infinity as strings, which JSON lacks). Run only when a change is meant to change numbers, and say why in the commit:
//   node --import tsx tests/equivalence/record.ts

import { writeFileSync } from "node:fs";
import { compile } from "../../compiler/compile.js";
import { importCode } from "../helpers/generated.js";
import { CASES, MODELS } from "./cases.js";
import { probeModule } from "./probe.js";

const recorded: Record<string, unknown> = {};
for (const c of CASES) {
  const { code } = await compile(MODELS[c.model]!, `${c.model}.nn`, c.options);
  recorded[c.key] = probeModule(await importCode(code));
  process.stderr.write(`${c.key}\n`);
}
writeFileSync(new URL("./recorded.json", import.meta.url), `${JSON.stringify(recorded, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 1)}\n`);
