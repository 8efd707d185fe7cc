// Copies runtime helpers into a generated module: the requested top-level declarations of
// runtime/*.ts plus every runtime declaration they reference (transitively), with imports and
// `export` keywords dropped, leading doc comments kept, in a fixed deterministic order. As
// TypeScript, or as JavaScript (the same text with the types cut out, see strip-types.ts: only
// the declarations the JavaScript references, no type declarations), or, for a module's .d.ts,
// the type declarations alone.
//
//   bundleRuntime(["fitModel", "createAdam"]);
//   // → "type Vec = …", "const VecArray = …", "interface ParamInfo …", …, "function fitModel(…"
//   bundleRuntime(["predictModel"], { precision: "f32" });   // Vec/VecArray become Float32Array
//   bundleRuntime(["fitModel"], { typed: false });           // JavaScript
//   runtimeTypes(["FitOptions"]);                             // FitOptions and the types it names
//
// The index of declarations is built with ts-morph, which is loaded only when needed (it
// costs ~1 s): the `nnc` build (scripts/build.ts) writes the index next to its copy of
// runtime/ as runtime-index.json, and a compile from dist/ just reads that file.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ts as TS } from "ts-morph";
import { applyCuts, isCut, isTypeOnly, typeCuts, type Cut } from "./strip-types.js";

type Ts = typeof TS;
let tsApi: Ts | undefined;
/** ts-morph's TypeScript, loaded synchronously on first use (ts-morph is CommonJS). */
function loadTs(): Ts {
  tsApi ??= (createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph")).ts;
  return tsApi;
}

/** Runtime files in bundle order (dependencies first); other runtime/*.ts follow alphabetically. */
export const RUNTIME_FILES = [
  "core.ts",
  "rng.ts",
  "data.ts",
  "metrics.ts",
  "init.ts",
  "clip.ts",
  "schedules.ts",
  "optimizer-options.ts",
  "optimizers.ts",
  "trainer.ts",
  "callbacks.ts",
  "health.ts",
  "evaluate.ts",
  "fit.ts",
  "curvature.ts",
  "params-json.ts",
];

/** The only declarations allowed to name Float64Array; f32 builds rewrite them. */
const PRECISION_DECLS = new Set(["Vec", "VecArray"]);

interface RuntimeDecl {
  name: string;
  file: string;
  /** Position in bundle order: file rank, then statement index. */
  rank: number;
  /** Source text of each statement (overloads / merged declarations share a name). */
  texts: string[];
  /** The same statements as JavaScript ("" for a statement that declares only types). */
  js: string[];
  /** Whether the declaration is only a type (an interface or a type alias): it has no JavaScript. */
  typeOnly: boolean;
  /** Runtime declarations it names anywhere, and those it names outside types (what its JavaScript needs). */
  deps: Set<string>;
  valueDeps: Set<string>;
}

/** runtime-index.json: the index as plain JSON (deps as arrays). */
export interface SerializedIndex {
  decls: {
    name: string;
    file: string;
    rank: number;
    texts: string[];
    js: string[];
    typeOnly: boolean;
    deps: string[];
    valueDeps: string[];
  }[];
}

interface RuntimeIndex {
  decls: Map<string, RuntimeDecl>;
}

let runtimeIndex: RuntimeIndex | undefined;

const runtimeDir = fileURLToPath(new URL("../../runtime/", import.meta.url));
/** Present only in a build (dist/runtime-index.json); source checkouts index on first use. */
const prebuiltIndex = fileURLToPath(new URL("../../runtime-index.json", import.meta.url));

function runtimeFileList(): string[] {
  const present = readdirSync(runtimeDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.includes(".test."));
  const extra = present.filter((f) => !RUNTIME_FILES.includes(f)).sort();
  return RUNTIME_FILES.filter((f) => present.includes(f)).concat(extra);
}

/** Names a top-level statement declares ([] for imports, which are dropped); throws for anything else. */
function declaredNames(stmt: TS.Statement, file: string): string[] | null {
  const ts = loadTs();
  if (ts.isImportDeclaration(stmt)) return null;
  if (
    ts.isFunctionDeclaration(stmt) ||
    ts.isClassDeclaration(stmt) ||
    ts.isInterfaceDeclaration(stmt) ||
    ts.isTypeAliasDeclaration(stmt) ||
    ts.isEnumDeclaration(stmt)
  ) {
    if (stmt.name) return [stmt.name.text];
  } else if (ts.isVariableStatement(stmt)) {
    const names: string[] = [];
    for (const d of stmt.declarationList.declarations) {
      if (!ts.isIdentifier(d.name)) throw new Error(`runtime/${file}: destructuring at top level is not supported`);
      names.push(d.name.text);
    }
    return names;
  }
  const line = stmt.getSourceFile().getLineAndCharacterOfPosition(stmt.getStart()).line + 1;
  throw new Error(`runtime/${file}:${line}: only declarations are allowed at top level (found ${ts.SyntaxKind[stmt.kind]})`);
}

/** True when `id` is a member name (x.name, { name: … }, interface/class member), not a reference. */
function isMemberName(id: TS.Identifier): boolean {
  const ts = loadTs();
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent)) return parent.name === id;
  if (ts.isQualifiedName(parent)) return parent.right === id;
  if (
    ts.isPropertyAssignment(parent) ||
    ts.isPropertySignature(parent) ||
    ts.isPropertyDeclaration(parent) ||
    ts.isMethodDeclaration(parent) ||
    ts.isMethodSignature(parent) ||
    ts.isGetAccessorDeclaration(parent) ||
    ts.isSetAccessorDeclaration(parent) ||
    ts.isEnumMember(parent)
  ) {
    return parent.name === id;
  }
  return false;
}

/**
 * The statement without `export`, preceded by the comments directly above it, as TypeScript and
 * as JavaScript ("" for a statement that declares only types), and the cuts that made the latter.
 */
function statementTexts(stmt: TS.Statement, sf: TS.SourceFile, file: string): { ts: string; js: string; cuts: Cut[] } {
  const ts = loadTs();
  const full = sf.text;
  const start = stmt.getStart(sf);
  // Keep only the comment block attached to the declaration: file headers are separated by a blank line.
  const trivia = full.slice(stmt.pos, start);
  const blank = trivia.search(/\n[ \t]*\r?\n(?![\s\S]*\n[ \t]*\r?\n)/);
  const comments = (blank >= 0 ? trivia.slice(blank) : trivia).replace(/^\s+/, "");
  const mods = ts.canHaveModifiers(stmt) ? (ts.getModifiers(stmt) ?? []) : [];
  const exp = mods.find((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  if (mods.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) throw new Error(`runtime/${file}: export default is not allowed`);
  const exportCut: Cut[] = exp ? [[exp.getStart(sf), exp.end + full.slice(exp.end).search(/\S/)]] : [];
  const typeOnly = isTypeOnly(ts, stmt);
  const cuts = typeOnly ? [] : typeCuts(ts, stmt, sf, `runtime/${file}`);
  return {
    ts: comments + applyCuts(full, start, stmt.end, exportCut),
    js: typeOnly ? "" : comments + applyCuts(full, start, stmt.end, [...exportCut, ...cuts]),
    cuts: typeOnly ? [[stmt.pos, stmt.end]] : cuts,
  };
}

function buildIndex(): RuntimeIndex {
  const ts = loadTs();
  const decls = new Map<string, RuntimeDecl>();
  const files = runtimeFileList();
  const parsed: { file: string; sf: TS.SourceFile; stmts: { stmt: TS.Statement; names: string[]; cuts: Cut[] }[] }[] = [];
  files.forEach((file, fileRank) => {
    const sf = ts.createSourceFile(`/runtime/${file}`, readFileSync(runtimeDir + file, "utf8"), ts.ScriptTarget.ES2022, true);
    const stmts: { stmt: TS.Statement; names: string[]; cuts: Cut[] }[] = [];
    sf.statements.forEach((stmt, i) => {
      const names = declaredNames(stmt, file);
      if (!names) return;
      const text = statementTexts(stmt, sf, file);
      stmts.push({ stmt, names, cuts: text.cuts });
      for (const name of names) {
        const existing = decls.get(name);
        if (existing && existing.file !== file) {
          throw new Error(`runtime: '${name}' is declared in both runtime/${existing.file} and runtime/${file}; top-level names must be unique`);
        }
        if (existing) {
          existing.texts.push(text.ts);
          existing.js.push(text.js);
          existing.typeOnly &&= text.js === "";
        } else {
          const rank = fileRank * 100000 + i;
          decls.set(name, { name, file, rank, texts: [text.ts], js: [text.js], typeOnly: text.js === "", deps: new Set(), valueDeps: new Set() });
        }
      }
    });
    parsed.push({ file, sf, stmts });
  });
  // References: identifiers naming another runtime declaration (scoping is ignored, so a local
  // that shadows a runtime name can only add an unneeded declaration, never drop a needed one).
  for (const { file, sf, stmts } of parsed) {
    for (const { stmt, names, cuts } of stmts) {
      const deps = new Set<string>();
      const valueDeps = new Set<string>();
      const visit = (node: TS.Node): void => {
        if (ts.isIdentifier(node)) {
          if (node.text === "Float64Array" && !names.every((n) => PRECISION_DECLS.has(n))) {
            throw new Error(`runtime/${file}: '${names[0]}' names Float64Array; use Vec / new VecArray(n) so f32 builds work`);
          }
          if (decls.has(node.text) && !isMemberName(node)) {
            deps.add(node.text);
            if (!isCut(cuts, node.getStart(sf))) valueDeps.add(node.text);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(stmt);
      for (const name of names) {
        const decl = decls.get(name);
        if (!decl) continue;
        for (const d of deps) if (d !== name) decl.deps.add(d);
        for (const d of valueDeps) if (d !== name) decl.valueDeps.add(d);
      }
    }
  }
  return { decls };
}

function getRuntimeIndex(): RuntimeIndex {
  if (!runtimeIndex && existsSync(prebuiltIndex)) {
    const json = JSON.parse(readFileSync(prebuiltIndex, "utf8")) as SerializedIndex;
    runtimeIndex = { decls: new Map(json.decls.map((d) => [d.name, { ...d, deps: new Set(d.deps), valueDeps: new Set(d.valueDeps) }])) };
  }
  runtimeIndex ??= buildIndex();
  return runtimeIndex;
}

/** The index as JSON, for the build to write next to its copy of runtime/. */
export function serializeRuntimeIndex(): SerializedIndex {
  const decls = [...getRuntimeIndex().decls.values()].map((d) => ({
    ...d,
    deps: [...d.deps].sort(),
    valueDeps: [...d.valueDeps].sort(),
  }));
  return { decls };
}

/** Every top-level runtime name (the emitter must not reuse these for its own declarations). */
export function runtimeNames(): string[] {
  return [...getRuntimeIndex().decls.keys()];
}

export interface BundleOptions {
  precision?: "f64" | "f32";
  /** TypeScript (the default) or JavaScript: only declarations with code, types cut out. */
  typed?: boolean;
  /** Declarations the module writes itself (they are left out, not what they reference). */
  omit?: readonly string[];
}

/** The named declarations and everything they reference, in bundle order; `values`: only what JavaScript needs. */
function closure(names: readonly string[], values: boolean): RuntimeDecl[] {
  const { decls } = getRuntimeIndex();
  const included = new Set<string>();
  const pending = [...names];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (included.has(name)) continue;
    const decl = decls.get(name);
    if (!decl) throw new Error(`bundleRuntime: no top-level runtime declaration named '${name}'`);
    // JavaScript has no use for a type, nor for what only a type names.
    if (values && decl.typeOnly) continue;
    included.add(name);
    for (const d of values ? decl.valueDeps : decl.deps) pending.push(d);
  }
  return [...included].map((n) => decls.get(n)!).sort((a, b) => a.rank - b.rank);
}

/** The declarations' texts (each statement once), f32 rewriting Vec/VecArray. */
function declarationText(chosen: readonly RuntimeDecl[], typed: boolean, precision: "f64" | "f32" | undefined): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const decl of chosen) {
    for (let text of typed ? decl.texts : decl.js) {
      // Several names from one statement (const a = 1, b = 2) share a text: emit it once.
      if (text === "" || seen.has(text)) continue;
      seen.add(text);
      if (precision === "f32" && PRECISION_DECLS.has(decl.name)) text = text.replace(/\bFloat64Array\b/g, "Float32Array");
      parts.push(text);
    }
  }
  return parts.join("\n\n") + "\n";
}

/**
 * Source of the named runtime declarations and their transitive runtime references,
 * imports/exports stripped, in runtime file order then source order. f32 rewrites Vec/VecArray.
 */
export function bundleRuntime(names: readonly string[], opts: BundleOptions = {}): string {
  const typed = opts.typed ?? true;
  const omit = new Set(opts.omit ?? []);
  const chosen = closure(names, !typed).filter((d) => !omit.has(d.name));
  return declarationText(chosen, typed, opts.precision);
}

/** The storage type declarations, Vec and VecArray, for the precision (JavaScript: VecArray alone). */
export function precisionDeclarations(precision: "f64" | "f32", typed = true): string {
  return declarationText(closure([...PRECISION_DECLS], false), typed, precision);
}

/** The type declarations `names` need, for a module's .d.ts (a name that is not a type is an error). */
export function runtimeTypes(names: readonly string[], opts: { precision?: "f64" | "f32" } = {}): string {
  const chosen = closure(names, false);
  const value = chosen.find((d) => !d.typeOnly);
  if (value) throw new Error(`runtimeTypes: '${value.name}' (runtime/${value.file}) is not a type; a .d.ts declares no values`);
  return declarationText(chosen, true, opts.precision);
}
