// The generated module's own declarations (its API, its state, its ModelCore) as data, printed
// three ways from the one definition: TypeScript, JavaScript (the same without types) and the
// .d.ts beside a JavaScript module (exported declarations only, no bodies). So the three can
// never disagree about a signature.
//
//   { kind: "function", exported: true, name: "init", params: [{ name: "seed", type: "number", init: "0" }], … }
//   ts:   export function init(seed: number = 0): Params {
//   js:   export function init(seed = 0) {
//   dts:  export declare function init(seed?: number): Params;

import { wrapLine } from "../print/layout.js";

export type Language = "ts" | "js" | "dts";

export interface Parameter {
  name: string;
  type: string;
  /** The default value: the parameter is optional. */
  init?: string;
}

export type Declaration =
  | {
      kind: "function";
      doc: string;
      exported: boolean;
      name: string;
      params: Parameter[];
      returns: string;
      /** Lines of the body (valid JavaScript, so the same in every language), without indentation. */
      body: string[];
    }
  | {
      kind: "variable";
      doc?: string;
      exported: boolean;
      keyword: "const" | "let";
      name: string;
      /** The TypeScript annotation (left out in JavaScript); an exported variable needs one for the .d.ts. */
      type?: string;
      /** The initial value (valid JavaScript); may span lines. */
      value?: string;
    }
  | { kind: "type"; doc: string; exported: boolean; name: string; value: string };

function docComment(doc: string | undefined): string[] {
  return doc === undefined ? [] : wrapLine(`/** ${doc} */`);
}

function printOne(d: Declaration, language: Language): string[] {
  const exported = d.exported ? "export " : "";
  if (d.kind === "type") return language === "js" ? [] : [...docComment(d.doc), `${exported}type ${d.name} = ${d.value};`];
  if (d.kind === "variable") {
    if (language === "dts") return [...docComment(d.doc), `export declare ${d.keyword} ${d.name}: ${d.type};`];
    const type = language === "ts" && d.type !== undefined ? `: ${d.type}` : "";
    const value = d.value === undefined ? "" : ` = ${d.value}`;
    return [...docComment(d.doc), `${exported}${d.keyword} ${d.name}${type}${value};`];
  }
  const params = d.params.map((p) => {
    if (language === "js") return `${p.name}${p.init === undefined ? "" : ` = ${p.init}`}`;
    if (language === "dts") return `${p.name}${p.init === undefined ? "" : "?"}: ${p.type}`;
    return `${p.name}: ${p.type}${p.init === undefined ? "" : ` = ${p.init}`}`;
  });
  const returns = language === "js" ? "" : `: ${d.returns}`;
  const head = `${language === "dts" ? "export declare " : exported}function ${d.name}(${params.join(", ")})${returns}`;
  if (language === "dts") return [...docComment(d.doc), ...wrapLine(`${head};`)];
  return [...docComment(d.doc), ...wrapLine(`${head} {`), ...d.body.flatMap((line) => wrapLine(`  ${line}`)), "}"];
}

/**
 * The declarations in `language` (.d.ts: only the exported ones), a blank line between them but
 * not before a variable without a comment that follows another variable (`const A = 1; const B = 2;`).
 */
export function printDeclarations(decls: readonly Declaration[], language: Language): string {
  const out: string[] = [];
  let previous: Declaration | undefined;
  for (const d of decls) {
    if (language === "dts" && !d.exported) continue;
    const lines = printOne(d, language);
    if (lines.length === 0) continue;
    const grouped = previous?.kind === "variable" && d.kind === "variable" && d.doc === undefined;
    if (previous !== undefined && !grouped) out.push("");
    out.push(...lines);
    previous = d;
  }
  return out.join("\n");
}
