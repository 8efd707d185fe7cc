// `npm run regen`: recompiles every example into generated/ (the drift test then passes).

import { writeFileSync } from "node:fs";
import { EXAMPLES, ROOT, compileExample } from "./examples.js";

for (const example of EXAMPLES) {
  const code = await compileExample(example);
  writeFileSync(`${ROOT}${example.generated}`, code);
  console.log(`${example.source} -> ${example.generated} (${(code.length / 1024).toFixed(1)} KB)`);
}
