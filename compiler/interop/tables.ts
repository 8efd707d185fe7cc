// The supported-layer and supported-operator tables of docs/interop.md, made from the rows the
// importers and exporters run on, so the page cannot claim what the code does not do
// (tests/interop/docs.test.ts compares; `node --import tsx scripts/interop/docs.ts` rewrites).
//
//   interopTables().get("tfjs-import")   // "| layer | becomes in the model file |\n| --- | --- |\n| Dense | … |"

import { KERAS_ACTIVATIONS } from "./activations.js";
import { ref } from "./draft.js";
import { print } from "./nn-text.js";
import { ONNX_OPS } from "./onnx/import-ops.js";
import { EXPORT_OPS } from "./onnx/export-ops.js";
import { EXPORT_LAYERS } from "./tfjs/export-layers.js";
import { TFJS_LAYERS } from "./tfjs/layers.js";

function table(head: [string, string], rows: [string, string][]): string {
  return [`| ${head[0]} | ${head[1]} |`, "| --- | --- |", ...rows.map(([a, b]) => `| ${a} | ${b.replace(/\|/g, "\\|")} |`)].join("\n");
}

export function interopTables(): Map<string, string> {
  return new Map([
    ["tfjs-import", table(["layer (class_name)", "becomes in the model file"], [["InputLayer", "the `input` line: a vector (`batch_input_shape` [null, n]) or an image ([null, height, width, channels])"], ...TFJS_LAYERS.map((r): [string, string] => [r.className, r.becomes])])],
    [
      "keras-activations",
      table(
        ["activation", "written as (z: the layer's pre-activation)"],
        Object.entries(KERAS_ACTIVATIONS).map(([name, form]): [string, string] => [name, form.dense ? `\`dense(x, n, ${form.dense})\`` : `\`${print(form.apply(ref("z")))}\``]),
      ),
    ],
    ["onnx-import", table(["operator", "becomes in the model file"], ONNX_OPS.map((r): [string, string] => [r.opType, r.becomes]))],
    ["tfjs-export", table(["layer", "written for"], EXPORT_LAYERS.map((r): [string, string] => [r.className, r.pattern]))],
    ["onnx-export", table(["nnc op", "ONNX"], EXPORT_OPS.map((r): [string, string] => [`\`${r.op}\``, r.onnx]))],
  ]);
}

/** `text` with each `<!-- table: NAME -->` … `<!-- end table -->` section replaced by the table. */
export function withTables(text: string): string {
  const tables = interopTables();
  return text.replace(/(<!-- table: ([a-z-]+) -->\n)[\s\S]*?(\n<!-- end table -->)/g, (whole, open: string, name: string, close: string) => {
    const t = tables.get(name);
    return t === undefined ? whole : `${open}${t}${close}`;
  });
}
