// `nnc model.nn -o model.js`: a JavaScript module and its model.d.ts. The module imports in plain
// Node (no tsx, no TypeScript anywhere) and computes what the TypeScript module computes (every
// recorded number: tests/equivalence/); the .d.ts declares exactly the TypeScript module's API and
// type-checks a consumer under the strictest settings; the runtime's JavaScript is TypeScript's
// own output, laid out as the source.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Project, ts } from "ts-morph";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { serializeRuntimeIndex } from "../../compiler/emit/runtime-bundle.js";
import { typeCuts, applyCuts } from "../../compiler/emit/strip-types.js";
import { EXAMPLES, ROOT } from "../../scripts/examples.js";
import { importCode } from "../helpers/generated.js";
import { STRICTEST } from "../helpers/typecheck.js";

const NNC = fileURLToPath(new URL("../../bin/nnc.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "nnc-javascript-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = (name: string) => readFileSync(`${ROOT}dsl-examples/${name}.nn`, "utf8");

describe("nnc MODEL.nn -o MODEL.js", () => {
  it("writes a module that plain Node imports (.js and .mjs) and that predicts what the TypeScript module does", async () => {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    for (const name of ["parity", "iris"]) writeFileSync(join(dir, `${name}.nn`), source(name));
    const run = (args: string[]) => execFileSync(process.execPath, [NNC, ...args], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    run(["parity.nn", "-o", "parity.js"]);
    run(["iris.nn", "-o", "iris.mjs", "--precision", "f32"]);
    expect(readFileSync(join(dir, "parity.d.ts"), "utf8")).toMatch(/^export declare function predict\(/m);
    expect(readFileSync(join(dir, "iris.d.mts"), "utf8")).toMatch(/^type Vec = Float32Array;$/m);
    // A child Node with no loader at all: what a user's `node app.mjs` does.
    const script = `
      import * as parity from "./parity.js";
      import * as iris from "./iris.mjs";
      const p = parity.init(1);
      const i = iris.init(2);
      const out = {
        parity: Array.from(parity.predictBatch(p, [[0], [2], [5]])),
        iris: Array.from(iris.predict(i, [5.1, 3.5, 1.4, 0.2])),
        kernels: [parity.model.kernels, iris.model.kernels],
        history: parity.fit(p, [[0], [2], [4]], [[0], [1], [1]], { epochs: 2, batchSize: 2, seed: 3 }).history.loss,
      };
      console.log(JSON.stringify(out));`;
    writeFileSync(join(dir, "app.mjs"), script);
    const got = JSON.parse(execFileSync(process.execPath, ["app.mjs"], { cwd: dir, encoding: "utf8", env: { PATH: process.env["PATH"] ?? "" } })) as {
      parity: number[];
      iris: number[];
      kernels: unknown[];
      history: number[];
    };
    const tsParity = await importCode((await compile(source("parity"), "parity.nn")).code);
    const tsIris = await importCode((await compile(source("iris"), "iris.nn", { precision: "f32" })).code);
    const p = tsParity.init(1);
    expect(got.parity).toEqual(Array.from(tsParity.predictBatch(p, [[0], [2], [5]])));
    expect(got.iris).toEqual(Array.from(tsIris.predict(tsIris.init(2), [5.1, 3.5, 1.4, 0.2])));
    expect(got.history).toEqual(tsParity.fit(p, [[0], [2], [4]], [[0], [1], [1]], { epochs: 2, batchSize: 2, seed: 3 }).history.loss);
    expect(got.kernels).toEqual([
      { strategy: "unrolled", batched: false, precision: "f64", flops: expect.any(Object), fusedStep: true },
      { strategy: expect.any(String), batched: expect.any(Boolean), precision: "f32", flops: expect.any(Object), fusedStep: expect.any(Boolean) },
    ]);
  });

  it("has a .d.ts that declares the TypeScript module's exact API and type-checks a consumer under the strictest settings", async () => {
    const project = new Project({
      useInMemoryFileSystem: true,
      compilerOptions: { ...STRICTEST, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ["lib.es2022.d.ts"], types: [], noEmit: true },
    });
    project.createSourceFile("/host.d.ts", "declare const console: { log(...args: unknown[]): void };");
    const exports: string[] = [];
    for (const example of EXAMPLES) {
      const options = example.name === "xor" ? { precision: "f32" as const } : {};
      const tsModule = await compile(source(example.name), `${example.name}.nn`, options);
      const jsModule = await compile(source(example.name), `${example.name}.nn`, { ...options, language: "js" });
      project.createSourceFile(`/${example.name}.ts`, tsModule.code);
      project.createSourceFile(`/${example.name}-js.d.ts`, jsModule.declarations!);
      const names = [...tsModule.code.matchAll(/^export (?:function|const|type) (\w+)/gm)].map((m) => m[1]!);
      exports.push(...names.map((n) => `${example.name}:${n}`));
      // Every export, value or type, is the same type in both: identical in each direction.
      const same = names.map((n) => {
        const what = tsModule.code.includes(`export type ${n} `) ? "" : "typeof ";
        return `export const same_${n}: Same<${what}T.${n}, ${what}J.${n}> = true;`;
      });
      project.createSourceFile(
        `/check-${example.name}.ts`,
        [
          `import * as T from "./${example.name}.js";`,
          `import * as J from "./${example.name}-js.js";`,
          `type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;`,
          ...same,
        ].join("\n"),
      );
    }
    // A consumer of one JavaScript module, as a user writes it.
    project.createSourceFile(
      "/consumer.ts",
      `import { createOptimizer, createTrainer, evaluate, fit, init, model, predict, saveParams, loadParams, type Params } from "./iris-js.js";
const params: Params = init(1);
const out = predict(params, [5.1, 3.5, 1.4, 0.2]);
const first: number | undefined = out[0];
const history = fit(params, [[5.1, 3.5, 1.4, 0.2]], [[1, 0, 0]], {
  epochs: 2,
  onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss, logs.accuracy),
});
const losses: number[] = history.history.loss;
const trainer = createTrainer(params, { optimizer: createOptimizer({ learningRate: 0.01, clipnorm: 1 }), seed: 2 });
const step: number = trainer.step(new Float64Array(4), new Float64Array(3), 1);
const { loss, accuracy } = evaluate(loadParams(saveParams(params)), [[5.1, 3.5, 1.4, 0.2]], [[1, 0, 0]]);
const precision: "f64" | "f32" = model.kernels.precision;
const flops: number = model.kernels.flops.grad;
// @ts-expect-error: a misspelt option is a type error, as in the TypeScript module
fit(params, [[1, 2, 3, 4]], [[1, 0, 0]], { epoch: 2 });
console.log(first, losses, step, loss, accuracy, precision, flops, model.input.shape);
`,
    );
    const errors = project.getPreEmitDiagnostics().map((d) => `${d.getSourceFile()?.getBaseName()}:${d.getLineNumber()}: ${ts.flattenDiagnosticMessageText(d.getMessageText() as string, "\n")}`);
    expect(errors).toEqual([]);
    expect(exports).toContain("mnist:fit");
    expect(exports.filter((e) => e.startsWith("parity:"))).toHaveLength(14);
  });
});

describe("the runtime's JavaScript", () => {
  /** The shape of a program, parentheses aside: node kinds and token texts, depth first. */
  function shape(js: string): string {
    const sf = ts.createSourceFile("x.js", js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
    const out: string[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isParenthesizedExpression(n)) return visit(n.expression);
      out.push(n.getChildCount(sf) === 0 ? `${ts.SyntaxKind[n.kind]}:${n.getText(sf)}` : ts.SyntaxKind[n.kind]!);
      n.getChildren(sf).forEach(visit);
    };
    visit(sf);
    return out.join(" ");
  }
  const emit = (code: string) => ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true } }).outputText;

  it("is what TypeScript emits for every runtime declaration, parentheses aside, with the source's layout and comments", () => {
    const decls = serializeRuntimeIndex().decls;
    expect(decls.length).toBeGreaterThan(50);
    for (const d of decls) {
      d.texts.forEach((text, i) => {
        const js = d.js[i]!;
        expect(shape(emit(js)), d.name).toBe(shape(emit(text)));
        // Types are cut, nothing else moves: every JavaScript line is a source line with pieces taken out.
        for (const line of js.split("\n")) expect(line.length, d.name).toBeLessThanOrEqual(120);
      });
      expect(d.typeOnly).toBe(d.js.every((js) => js === ""));
    }
    const fit = decls.find((d) => d.name === "fitModel")!.js[0]!;
    expect(fit).toContain("function fitModel(\n  core,\n  params,");
    expect(fit).toContain("// A misspelt option (`epoch: 50`)");
  });

  function strip(code: string): string {
    const sf = ts.createSourceFile("/runtime/x.ts", code, ts.ScriptTarget.ES2022, true);
    return sf.statements.map((s) => applyCuts(code, s.getStart(sf), s.end, typeCuts(ts, s, sf, "runtime/x.ts"))).join("\n");
  }

  it("cuts annotations, `!`, `as`, type arguments, modifiers and local types, and nothing else", () => {
    expect(strip("function f(a: number, b?: Vec, c: Vec = new VecArray(2)): void { g(a as number, b!, c satisfies Vec); }")).toBe(
      "function f(a, b, c = new VecArray(2)) { g(a, b, c); }",
    );
    expect(strip("class R implements Rng {\n  private a: number;\n  readonly b = 0;\n  constructor(a: number) {\n    this.a = a;\n  }\n}")).toBe(
      "class R {\n  a;\n  b = 0;\n  constructor(a) {\n    this.a = a;\n  }\n}",
    );
    expect(strip("function h<T>(x: T): T {\n  type Local = { x: number };\n  const m = new Map<string, Local>();\n  return x;\n}")).toBe(
      "function h(x) {\n  const m = new Map();\n  return x;\n}",
    );
    expect(strip("const o = { get n(): number { return 1; }, m(x: number): number { return x ? x : 0; } } as const;")).toBe(
      "const o = { get n() { return 1; }, m(x) { return x ? x : 0; } };",
    );
    expect(strip("const f = (a: number): string => `${a}`;")).toBe("const f = (a) => `${a}`;");
  });

  it("is refused for syntax that cannot be erased (runtime files keep to erasableSyntaxOnly)", () => {
    expect(() => strip("enum E { A }")).toThrow(/runtime\/x\.ts:1: an enum cannot be erased/);
    expect(() => strip("namespace N { export const a = 1; }")).toThrow(/a namespace cannot be erased/);
    expect(() => strip("class C { constructor(private a: number) {} }")).toThrow(/a parameter property cannot be erased/);
    expect(() => strip("const a = <number>b;")).toThrow(/a <T>value assertion cannot be erased/);
  });
});
