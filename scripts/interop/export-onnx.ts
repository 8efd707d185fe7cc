// One model's ONNX export with its init(1) weights, as the checker's fixtures and the tests make it.

import { analyze, compile } from "../../compiler/compile.js";
import { loadGeneratedModule } from "../../compiler/emit/load-module.js";
import { layoutOf } from "../../compiler/interop/layout.js";
import { exportOnnx } from "../../compiler/interop/onnx/export.js";

export async function onnxExportOf(name: string, source: string): Promise<Uint8Array> {
  const { model } = analyze(source, `${name}.nn`);
  const mod = await loadGeneratedModule((await compile(source, `${name}.nn`)).code);
  return exportOnnx(model, layoutOf(model), mod.init(1));
}
