// Models the explain tests run on: every example in dsl-examples/ plus the small models in
// tests/explain/models/ (dropout, relu kinks, softmax, penalties, hand-written math).

import { readdirSync, readFileSync } from "node:fs";
import { ROOT } from "../../scripts/examples.js";

export interface TestModel {
  name: string;
  /** Path relative to the repository root, as given to nnc. */
  file: string;
  source: string;
}

function modelsIn(dir: string): TestModel[] {
  return readdirSync(`${ROOT}${dir}`)
    .filter((f) => f.endsWith(".nn"))
    .sort()
    .map((f) => ({ name: f.replace(/\.nn$/, ""), file: `${dir}/${f}`, source: readFileSync(`${ROOT}${dir}/${f}`, "utf8") }));
}

export const EXAMPLE_MODELS = modelsIn("dsl-examples");
export const EXTRA_MODELS = modelsIn("tests/explain/models");
export const ALL_MODELS = [...EXAMPLE_MODELS, ...EXTRA_MODELS];

export function model(name: string): TestModel {
  const found = ALL_MODELS.find((m) => m.name === name);
  if (!found) throw new Error(`no test model '${name}'`);
  return found;
}
