// `npm run curves:pathologies`: retrains the two examples of docs/pathologies.md with `nnc train`
// exactly as the page shows (iris, 60 epochs, seed 0) and writes their curves into docs/. A test
// (tests/cli-train/pathologies.test.ts) runs the same commands and compares the files.
//
//   nnc train dsl-examples/deep_sigmoid.nn --data iris --split 0.2 --epochs 60 --seed 0 --plot docs/deep_sigmoid-curve.svg

import { fileURLToPath } from "node:url";
import { main } from "../compiler/cli/main.js";

/** The two examples and the `nnc train` arguments that draw each one's curve (--plot PATH last). */
export const PATHOLOGY_CURVES = ["deep_sigmoid", "deep_relu"].map((name) => ({
  name,
  svg: `docs/${name}-curve.svg`,
  args: ["train", `dsl-examples/${name}.nn`, "--data", "iris", "--split", "0.2", "--epochs", "60", "--seed", "0", "--plot"],
}));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.chdir(fileURLToPath(new URL("..", import.meta.url)));
  for (const curve of PATHOLOGY_CURVES) {
    const code = await main([...curve.args, curve.svg]);
    if (code !== 0) process.exit(code);
  }
}
