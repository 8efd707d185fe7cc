// The example models and where their compiled modules live; shared by the demo,
// `npm run regen` and the drift test.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compile, type CompileOptions } from "../compiler/compile.js";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface Example {
  name: string;
  source: string;
  generated: string;
  options: CompileOptions;
}

/** Every example with a committed compiled module in generated/. */
export const EXAMPLES: Example[] = ["parity", "xor", "iris", "iris_regularized", "mnist", "mnist_cnn"].map((name) => ({
  name,
  source: `dsl-examples/${name}.nn`,
  generated: `generated/${name}.ts`,
  options: {},
}));

/** Compiles an example exactly as `nnc dsl-examples/NAME.nn -o generated/NAME.ts` does. */
export async function compileExample(example: Example): Promise<string> {
  const source = readFileSync(`${ROOT}${example.source}`, "utf8");
  return (await compile(source, example.source, example.options)).code;
}
