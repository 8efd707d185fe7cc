import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Project, ts } from "ts-morph";
import { bundleRuntime, runtimeNames } from "../../compiler/emit/runtime-bundle.js";
import { STRICTEST } from "../helpers/typecheck.js";

// The runtime names of fit / saveParams / loadParams / evaluate (the generated module exports
// the short names as its own API, so the runtime uses *Model names to avoid clashes).
const NAMES = ["fitModel", "createAdam", "saveModelParams", "loadModelParams", "evaluateModel", "binaryAccuracy"];

/** tests/runtime/linear-core.ts without its imports and export keywords. */
function linearCoreSource(): string {
  const text = readFileSync(new URL("./linear-core.ts", import.meta.url), "utf8");
  return text
    .split("\n")
    .filter((line) => !line.startsWith("import "))
    .join("\n")
    .replace(/^export /gm, "");
}

const DRIVER = `
export function run(): { before: number; after: number; params: number[]; restored: number[]; history: number; epochs: number } {
  const core = makeLinearCore({ inputSize: 1, outputSize: 1, maxBatch: 4, layoutHash: "h1" });
  const params = new VecArray(core.paramCount);
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < 32; i++) {
    const x = i / 16 - 1;
    xs.push([x]);
    ys.push([3 * x - 0.5]);
  }
  const before = evaluateModel(core, params, xs, ys).loss;
  const history: FitHistory = fitModel(core, params, xs, ys, { epochs: 200, batchSize: 8, seed: 1 }, () =>
    createAdam(core.paramCount, { learningRate: 0.05, clipnorm: 10 }, core.params),
  );
  const after = evaluateModel(core, params, xs, ys, { batchSize: 5 }).loss;
  const restored = loadModelParams(core, saveModelParams(core, params));
  return { before, after, params: Array.from(params), restored: Array.from(restored), history: history.history.loss.length, epochs: history.epoch.length };
}
`;

/** Type-check under the strictest settings (as generated modules) with only the ES2022 library: no DOM, no Node typings. */
function typeErrors(source: string): string[] {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      ...STRICTEST,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      lib: ["lib.es2022.d.ts"],
      types: [],
    },
  });
  project.createSourceFile("/model.ts", source);
  return project.getPreEmitDiagnostics().map((d) => {
    const msg = d.getMessageText();
    const text = typeof msg === "string" ? msg : ts.flattenDiagnosticMessageText(msg.compilerObject, "\n");
    return `${d.getLineNumber()}: ${text}`;
  });
}

async function execute(source: string): Promise<ReturnType<() => { before: number; after: number; params: number[]; restored: number[]; history: number; epochs: number }>> {
  const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  const dir = mkdtempSync(join(tmpdir(), "nnc-bundle-"));
  try {
    const file = join(dir, "model.mjs");
    writeFileSync(file, js);
    const mod = await import(pathToFileURL(file).href);
    return mod.run();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("bundleRuntime", () => {
  it("bundles the closure of the requested declarations, without imports or exports", () => {
    const code = bundleRuntime(NAMES);
    expect(code).toBe(bundleRuntime(NAMES));
    expect(code).not.toMatch(/^\s*(import|export)\b/m);
    for (const name of [...NAMES, "Vec", "VecArray", "ModelCore", "createModelTrainer", "toMatrix", "createRng", "clipGradient", "fnv1a32"]) {
      expect(code).toMatch(new RegExp(`^(function|const|type|interface|class) ${name}\\b`, "m"));
    }
    // Only what is referenced: no other optimizer, no initializers, no layout hash.
    for (const name of ["createSgd", "createRmsprop", "createOptimizer", "initParams", "layoutHashOf", "predictModel"]) {
      expect(code).not.toMatch(new RegExp(`^(function|const) ${name}\\b`, "m"));
    }
    // Declarations keep their doc comments; file header comments are not copied.
    expect(code).toMatch(/\/\*\*\n \* Keras 3 Adam: [^]*?\*\/\nfunction createAdam\(/);
    expect(code).not.toContain("// Keras-like training loop");
    // File order: core before rng before optimizers before fit before params-json.
    const at = (s: string) => code.indexOf(s);
    expect(at("type Vec =")).toBeLessThan(at("function createRng"));
    expect(at("function createRng")).toBeLessThan(at("function createAdam"));
    expect(at("function createAdam")).toBeLessThan(at("function fitModel("));
    expect(at("function fitModel(")).toBeLessThan(at("function saveModelParams"));
  });

  it("produces code that type-checks under the strictest settings and trains when run (f64)", async () => {
    const source = bundleRuntime(NAMES) + "\n" + linearCoreSource() + DRIVER;
    expect(typeErrors(source)).toEqual([]);
    const r = await execute(source);
    expect(r.epochs).toBe(200);
    expect(r.before).toBeGreaterThan(1);
    expect(r.after).toBeLessThan(1e-6);
    expect(r.params[0]).toBeCloseTo(3, 3);
    expect(r.params[1]).toBeCloseTo(-0.5, 3);
    expect(r.restored).toEqual(r.params);
  });

  it("rewrites Vec/VecArray to Float32Array for f32 and still type-checks and trains", async () => {
    const code = bundleRuntime(NAMES, { precision: "f32" });
    expect(code).toContain("type Vec = Float32Array;");
    expect(code).toContain("const VecArray = Float32Array;");
    expect(code).not.toContain("Float64Array");
    const source = code + "\n" + linearCoreSource() + DRIVER;
    expect(typeErrors(source)).toEqual([]);
    const r = await execute(source);
    expect(r.after).toBeLessThan(1e-4);
    expect(r.params[0]).toBeCloseTo(3, 2);
    expect(r.restored).toEqual(r.params);
  });

  it("rejects unknown names and is fast once loaded", () => {
    expect(() => bundleRuntime(["nope"])).toThrow("bundleRuntime: no top-level runtime declaration named 'nope'");
    const start = performance.now();
    for (let i = 0; i < 20; i++) bundleRuntime(["fitModel", "predictModel", "initParams", "createOptimizer"]);
    expect((performance.now() - start) / 20).toBeLessThan(20);
    expect(runtimeNames()).toContain("createRng");
  });

  it("every runtime declaration bundles alone into code clean under the strictest settings", () => {
    const all = runtimeNames();
    const errors = typeErrors(bundleRuntime(all) + "\nexport {};\n").filter((e) => !/is declared but its value is never read|is declared but never used/.test(e));
    expect(errors).toEqual([]);
  });
});
