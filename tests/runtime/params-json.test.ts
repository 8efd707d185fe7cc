import { describe, expect, it } from "vitest";
import { makeLinearCore } from "./linear-core.js";
import { layoutHashOf, loadModelParams as loadParams, saveModelParams as saveParams } from "../../runtime/params-json.js";
import { initParams } from "../../runtime/init.js";
import type { ParamInfo } from "../../runtime/core.js";

const layout = makeLinearCore({ inputSize: 3, outputSize: 2 }).params;
const core = makeLinearCore({ inputSize: 3, outputSize: 2, name: "reg", layoutHash: layoutHashOf(layout) });
const params = initParams(core.params, core.paramCount, 4);

/** The saved document, modified by `edit`, re-serialized. */
function edited(edit: (doc: any) => void): string {
  const doc = JSON.parse(saveParams(core, params));
  edit(doc);
  return JSON.stringify(doc);
}

describe("saveModelParams / loadModelParams", () => {
  it("round-trips exactly and writes stable, ordered JSON", () => {
    const json = saveParams(core, params);
    expect(json).toBe(saveParams(core, params));
    expect(json.startsWith(`{"format":"nnc-params","version":1,"model":"reg","layoutHash":"${core.layoutHash}","params":{\n"W":{"shape":[2,3],"data":[`)).toBe(true);
    expect(json.split("\n")).toHaveLength(5); // head, W, b, closing, trailing newline
    const loaded = loadParams(core, json);
    expect(loaded).not.toBe(params);
    expect(Array.from(loaded)).toEqual(Array.from(params));
  });

  it("refuses to save non-finite values", () => {
    const bad = Float64Array.from(params);
    bad[7] = NaN;
    expect(() => saveParams(core, bad)).toThrow("saveParams: tensor 'b' data[1] is NaN; only finite numbers can be saved");
  });

  const cases: [string, string, string][] = [
    ["invalid JSON", "{not json", "loadParams: not valid JSON ("],
    ["a non-object", "[1, 2]", "loadParams: expected a JSON object, got an array"],
    ["a wrong format", edited((d) => (d.format = "keras")), 'loadParams: format must be "nnc-params", got "keras"'],
    ["a wrong version", edited((d) => (d.version = 2)), "loadParams: unsupported version 2 (this runtime reads version 1)"],
    ["another model", edited((d) => (d.model = "other")), 'loadParams: these parameters are for model "other", not "reg"'],
    ["params not an object", edited((d) => (d.params = [])), 'loadParams: "params" must be an object of tensors, got an array'],
    ["a missing tensor", edited((d) => delete d.params.b), "loadParams: missing tensor 'b'"],
    ["a tensor that is not an object", edited((d) => (d.params.W = [1, 2])), "loadParams: tensor 'W' must be an object { shape, data }, got an array"],
    ["a wrong shape", edited((d) => (d.params.W.shape = [3, 2])), "loadParams: tensor 'W' has shape [3, 2], expected [2, 3]"],
    ["a missing shape", edited((d) => delete d.params.W.shape), "loadParams: tensor 'W' has no shape, expected [2, 3]"],
    ["data not an array", edited((d) => (d.params.b.data = "0,0")), `loadParams: tensor 'b' data must be an array, got "0,0"`],
    ["a wrong length", edited((d) => d.params.b.data.push(1)), "loadParams: tensor 'b' has 3 values, expected 2"],
    ["a string value", edited((d) => (d.params.W.data[4] = "1.5")), `loadParams: tensor 'W' data[4] is "1.5", expected a finite number`],
    ["a null value", edited((d) => (d.params.W.data[0] = null)), "loadParams: tensor 'W' data[0] is null, expected a finite number"],
    ["an infinite value (1e999)", saveParams(core, params).replace(/"data":\[[^,\]]+/, '"data":[1e999'), "loadParams: tensor 'W' data[0] is Infinity, expected a finite number"],
    ["an extra tensor", edited((d) => (d.params.V = { shape: [1], data: [0] })), "loadParams: unexpected tensor 'V' (not a parameter of model 'reg')"],
    ["a different layout hash", edited((d) => (d.layoutHash = "0000")), `loadParams: layoutHash "0000" does not match the model's ${core.layoutHash}`],
  ];
  for (const [what, json, message] of cases) {
    it(`rejects ${what}`, () => {
      expect(() => loadParams(core, json)).toThrow(message);
    });
  }
});

describe("layoutHashOf", () => {
  const base: ParamInfo[] = [
    { name: "W", shape: [2, 3], offset: 0, size: 6, init: { name: "glorot_uniform" } },
    { name: "b", shape: [2], offset: 6, size: 2, init: { name: "zeros" } },
  ];
  it("is a deterministic 16-digit hex string that ignores initializers", () => {
    const h = layoutHashOf(base);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(layoutHashOf(base.map((p) => ({ ...p, init: { name: "ones" } })))).toBe(h);
  });
  it("changes with names, shapes and offsets", () => {
    const h = layoutHashOf(base);
    expect(layoutHashOf([{ ...base[0], name: "V" }, base[1]])).not.toBe(h);
    expect(layoutHashOf([{ ...base[0], shape: [3, 2] }, base[1]])).not.toBe(h);
    expect(layoutHashOf([base[1], base[0]])).not.toBe(h);
    expect(layoutHashOf([{ ...base[0], offset: 2 }, { ...base[1], offset: 0 }])).not.toBe(h);
  });
});
