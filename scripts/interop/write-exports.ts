// Writes nnc's ONNX exports of scripts/interop/export-models.ts (weights: init(1)) to
// tests/interop/fixtures/nnc-exports/, for the ONNX checker to judge once
// (/usr/bin/python3 scripts/interop/pytorch_fixtures.py records its verdicts in checked.json).
// tests/interop/onnx-checker.test.ts fails when nnc's exports no longer equal these files: then
// run this script and the checker again.
//
//   node --import tsx scripts/interop/write-exports.ts

import { mkdirSync, writeFileSync } from "node:fs";
import { onnxExportOf } from "./export-onnx.js";
import { EXPORT_MODELS } from "./export-models.js";

const dir = new URL("../../tests/interop/fixtures/nnc-exports/", import.meta.url);
mkdirSync(dir, { recursive: true });
for (const { name, source } of EXPORT_MODELS) {
  const bytes = await onnxExportOf(name, source);
  writeFileSync(new URL(`${name}.onnx`, dir), bytes);
  console.log(`${name}.onnx: ${bytes.length} bytes`);
}
