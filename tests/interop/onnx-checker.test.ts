// The ONNX checker's verdict on nnc's exports, kept valid without Python in CI: the checker
// (onnx 1.12, full_check with shape inference) judged the files in fixtures/nnc-exports/ once
// (scripts/interop/pytorch_fixtures.py recorded "passed" with each file's SHA-256 in
// checked.json), and this test proves that nnc still writes exactly those files, byte for byte.
// A change to the exporter fails here until the files are written again
// (node --import tsx scripts/interop/write-exports.ts) and checked again.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXPORT_MODELS } from "../../scripts/interop/export-models.js";
import { onnxExportOf } from "../../scripts/interop/export-onnx.js";

const dir = new URL("./fixtures/nnc-exports/", import.meta.url);
const checked = JSON.parse(readFileSync(new URL("checked.json", dir), "utf8")) as { checked_by: { onnx: string }; files: Record<string, { sha256: string; checker: string }> };

describe("nnc's ONNX exports pass the ONNX checker", () => {
  it("every export model was checked", () => {
    expect(Object.keys(checked.files).sort()).toEqual(EXPORT_MODELS.map((m) => `${m.name}.onnx`).sort());
    expect(checked.checked_by.onnx).toBe("1.12.0");
  });

  it.each(EXPORT_MODELS)("$name: nnc writes the file the checker passed", async ({ name, source }) => {
    const verdict = checked.files[`${name}.onnx`]!;
    expect(verdict.checker).toBe("passed");
    const committed = readFileSync(new URL(`${name}.onnx`, dir));
    expect(createHash("sha256").update(committed).digest("hex")).toBe(verdict.sha256);
    const bytes = await onnxExportOf(name, source);
    expect(Buffer.from(bytes).equals(committed), `${name}: nnc's export differs from the checked file; run scripts/interop/write-exports.ts and the checker again`).toBe(true);
  });
});
