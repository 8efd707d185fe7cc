// print: a Program as TypeScript. The buffers become module-level arrays named after their
// tensors, the kernels functions with literal bounds; statements print one to a line (long
// ones wrapped), each block under a comment naming the model line it comes from.
//
//   buffer z_h [128] × 256 rows  ->  const z_h = new VecArray(32768); // [128] per row: mnist.nn:9  h = dense(x, 128, relu)

import type { Expr, Stmt } from "../ir/code.js";
import { baseName, commentText } from "../lower/comments.js";
import type { Buffer, Fn, Program } from "../lower/program.js";
import { exprText as printExpr } from "./expr.js";
import { MAX_LINE, wrapLine } from "./layout.js";

function stmtLines(stmts: readonly Stmt[], indent: string, out: string[], last: { comment: string }, typed: boolean): void {
  const exprText = (e: Expr) => printExpr(e, typed);
  for (const s of stmts) {
    switch (s.k) {
      case "decl":
        out.push(`${indent}${s.kind} ${s.name} = ${exprText(s.value)};`);
        break;
      case "store":
        // A compound assignment reads the element too: `g[i]! += c` (see print/expr.ts on `!`).
        out.push(`${indent}${s.array}[${printExpr(s.index)}]${typed && s.op !== "=" ? "!" : ""} ${s.op} ${exprText(s.value)};`);
        break;
      case "assign":
        out.push(`${indent}${s.name} ${s.op} ${exprText(s.value)};`);
        break;
      case "for": {
        const step = s.step === 1 ? `${s.v}++` : `${s.v} += ${s.step}`;
        const test = s.whole && s.step > 1 ? `${s.v} + ${s.step - 1} < ${exprText(s.to)}` : `${s.v} < ${exprText(s.to)}`;
        const init = s.from ? `let ${s.v} = ${exprText(s.from)}` : "";
        out.push(`${indent}for (${init}; ${test}; ${step}) {`);
        stmtLines(s.body, `${indent}  `, out, { comment: "" }, typed);
        out.push(`${indent}}`);
        break;
      }
      case "if":
        out.push(`${indent}if (${exprText(s.test)}) {`);
        stmtLines(s.body, `${indent}  `, out, { comment: "" }, typed);
        out.push(`${indent}}`);
        break;
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
        stmtLines(s.body, indent, out, last, typed);
        break;
    }
  }
}

/** Statements as indented lines of TypeScript (or JavaScript: `typed` false), each at most MAX_LINE long. */
export function printStatements(stmts: readonly Stmt[], indent = "", typed = true): string[] {
  const out: string[] = [];
  stmtLines(stmts, indent, out, { comment: "" }, typed);
  return out.flatMap((l) => wrapLine(l));
}

/**
 * A function that runs as WebAssembly once the module's WebAssembly kernels (`wasm`, the object
 * holding them) are loaded: the call, its arrays as byte offsets in their memory.
 */
function wasmDispatch(fn: Fn, wasm: string | undefined): string[] {
  if (fn.wasm === undefined) return [];
  if (wasm === undefined) throw new Error(`internal: ${fn.name} runs as WebAssembly, but the program has none`);
  const args = fn.params.map(([n, t]) => {
    if (t === "Vec") return `${n}.byteOffset`;
    if (t === "number") return n;
    throw new Error(`internal: ${fn.name} passes a ${t} to WebAssembly`);
  });
  return wrapLine(`  if (${wasm}.exports !== undefined) return ${wasm}.exports.${fn.wasm}(${args.join(", ")});`);
}

export function printFunction(fn: Fn, typed = true, wasm?: string): string {
  const params = fn.params.map(([n, t]) => (typed ? `${n}: ${t}` : n)).join(", ");
  const signature = `function ${fn.name}(${params})${typed ? `: ${fn.returns}` : ""} {`;
  const doc = fn.doc ? wrapLine(`/** ${fn.doc} */`, MAX_LINE).join("\n") : undefined;
  return [...(doc ? [doc] : []), ...wrapLine(signature), ...wasmDispatch(fn, wasm), ...printStatements(fn.body, "  ", typed), "}", ""].join("\n");
}

/** The shortest cut comment worth keeping behind a declaration. */
const MIN_COMMENT = 40;

/**
 * A buffer's declaration with its comment behind it (cut to the line's length), or, where a
 * long name leaves the comment no room, above it. The declaration itself is never cut. In the
 * WebAssembly memory when the kernels run there: a view at the buffer's byte offset.
 */
function bufferLines(b: Buffer, file: string, wasm: string | undefined): string[] {
  const size = b.shape.reduce((a, d) => a * d, 1);
  const what = `[${b.shape.join(", ")}]${b.rows > 1 ? " per row" : ""}`;
  const from = b.origin ? `: ${commentText(file, b.origin, b.role === "gradient")}` : "";
  const length = b.rows > 1 ? `${b.rows} * ${size}` : String(size);
  const place = b.memory === undefined ? length : `${wasm}.buffer, ${b.memory}, ${length}`;
  const declaration = `const ${b.name} = new VecArray(${place});`;
  const comment = `// ${what}${from}`;
  const line = `${declaration} ${comment}`;
  if (line.length <= MAX_LINE) return [line];
  if (declaration.length + 1 + MIN_COMMENT <= MAX_LINE) return [`${line.slice(0, MAX_LINE - 3).trimEnd()}...`];
  return [...wrapLine(comment), declaration];
}

/** The kernels of a program: its buffers, then its functions (TypeScript, or JavaScript when not `typed`). */
export function printProgram(program: Program, typed = true): string {
  const file = baseName(program.file);
  const parts: string[] = [];
  if (program.buffers.length > 0) {
    const rows = program.batched ? `, with room for ${program.maxBatch} rows of a minibatch` : "";
    const where = program.wasm ? ["// They are views of the WebAssembly kernels' memory."] : [];
    parts.push(`// Intermediate values: one array per tensor the kernels store${rows}.`, ...where, ...program.buffers.flatMap((b) => bufferLines(b, file, program.wasm?.object)), "");
  }
  for (const fn of program.functions) parts.push(printFunction(fn, typed, program.wasm?.object));
  return parts.join("\n");
}
