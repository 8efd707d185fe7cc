// print: a Program as TypeScript. The buffers become module-level arrays named after their
// tensors, the kernels functions with literal bounds; statements print one to a line (long
// ones wrapped), each block under a comment naming the model line it comes from.
//
//   buffer z_h [128] × 256 rows  ->  const z_h = new VecArray(32768); // [128] per row: mnist.nn:9  h = dense(x, 128, relu)

import type { Stmt } from "../ir/code.js";
import { commentText } from "../lower/comments.js";
import type { Buffer, Fn, Program } from "../lower/program.js";
import { exprText } from "./expr.js";
import { MAX_LINE, wrapLine } from "./layout.js";

function stmtLines(stmts: readonly Stmt[], indent: string, out: string[], last: { comment: string }): void {
  for (const s of stmts) {
    switch (s.k) {
      case "decl":
        out.push(`${indent}${s.kind} ${s.name} = ${exprText(s.value)};`);
        break;
      case "store":
        out.push(`${indent}${s.array}[${exprText(s.index)}] ${s.op} ${exprText(s.value)};`);
        break;
      case "assign":
        out.push(`${indent}${s.name} ${s.op} ${exprText(s.value)};`);
        break;
      case "for": {
        const step = s.step === 1 ? `${s.v}++` : `${s.v} += ${s.step}`;
        const test = s.whole && s.step > 1 ? `${s.v} + ${s.step - 1} < ${exprText(s.to)}` : `${s.v} < ${exprText(s.to)}`;
        const init = s.from ? `let ${s.v} = ${exprText(s.from)}` : "";
        out.push(`${indent}for (${init}; ${test}; ${step}) {`);
        stmtLines(s.body, `${indent}  `, out, { comment: "" });
        out.push(`${indent}}`);
        break;
      }
      case "call":
        out.push(`${indent}${s.fn}(${s.args.map(exprText).join(", ")});`);
        break;
      case "return":
        out.push(`${indent}return ${exprText(s.value)};`);
        break;
      case "block":
        if (s.comment && s.comment !== last.comment) {
          if (out.length > 0 && out[out.length - 1]!.trim() !== "" && !out[out.length - 1]!.endsWith("{")) out.push("");
          out.push(`${indent}// ${s.comment}`);
          last.comment = s.comment;
        }
        stmtLines(s.body, indent, out, last);
        break;
    }
  }
}

/** Statements as indented TypeScript lines, each at most MAX_LINE long. */
export function printStatements(stmts: readonly Stmt[], indent = ""): string[] {
  const out: string[] = [];
  stmtLines(stmts, indent, out, { comment: "" });
  return out.flatMap((l) => wrapLine(l));
}

export function printFunction(fn: Fn): string {
  const signature = `function ${fn.name}(${fn.params.map(([n, t]) => `${n}: ${t}`).join(", ")}): ${fn.returns} {`;
  const doc = fn.doc ? wrapLine(`/** ${fn.doc} */`, MAX_LINE).join("\n") : undefined;
  return [...(doc ? [doc] : []), signature, ...printStatements(fn.body, "  "), "}", ""].join("\n");
}

function bufferLine(b: Buffer, file: string): string {
  const size = b.shape.reduce((a, d) => a * d, 1);
  const what = `[${b.shape.join(", ")}]${b.rows > 1 ? " per row" : ""}`;
  const from = b.origin ? `: ${commentText(file, b.origin, b.role === "gradient")}` : "";
  const line = `const ${b.name} = new VecArray(${b.rows > 1 ? `${b.rows} * ${size}` : size}); // ${what}${from}`;
  return line.length <= MAX_LINE ? line : `${line.slice(0, MAX_LINE - 3).trimEnd()}...`;
}

/** The kernels of a program: its buffers, then its functions. */
export function printProgram(program: Program): string {
  const file = program.file.replace(/^.*[\\/]/, "");
  const parts: string[] = [];
  if (program.buffers.length > 0) {
    const rows = program.batched ? `, with room for ${program.maxBatch} rows of a minibatch` : "";
    parts.push(`// Intermediate values: one array per tensor the kernels store${rows}.`, ...program.buffers.map((b) => bufferLine(b, file)), "");
  }
  for (const fn of program.functions) parts.push(printFunction(fn));
  return parts.join("\n");
}
