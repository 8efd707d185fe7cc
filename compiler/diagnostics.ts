// Located, user-facing errors. Every stage throws NncError; the CLI prints it with
// `formatDiagnostic` and exits 1 (never a stack trace):
//
//   xor.nn:9:7: error: shape mismatch in '@': [8, 3] @ [2]: inner sizes 3 and 2 differ
//       9 | h = tanh(W1 @ x + b1)
//         |          ^^^^^^

import type { Loc } from "./ast.js";

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  /** Number of characters to underline (at least 1). */
  length: number;
  message: string;
  /** The full text of the offending source line (without its line break), if known. */
  sourceLine?: string;
}

export class NncError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: error: ${diagnostic.message}`);
    this.name = "NncError";
  }
}

/** The text of the 1-based line `line` of `source`, without its line break. */
export function sourceLineAt(source: string, line: number): string {
  const lines = source.split(/\r\n|\r|\n/);
  return lines[line - 1] ?? "";
}

/** Throws an NncError pointing at `loc` in `source`. */
export function errorAt(file: string, source: string, loc: Loc, message: string): never {
  throw new NncError({
    file,
    line: loc.line,
    column: loc.column,
    length: Math.max(1, loc.length),
    message,
    sourceLine: sourceLineAt(source, loc.line),
  });
}

/** Makes control characters and non-ASCII visible so a diagnostic prints on one clean line. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `file:line:col: error: message`, then the source line and a caret under the span. */
export function formatDiagnostic(d: Diagnostic): string {
  // The file name comes from the command line and may hold line breaks: keep the head one line.
  const file = printable(d.file).replace(/[\t\n]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const head = `${file}:${d.line}:${d.column}: error: ${d.message}`;
  if (d.sourceLine === undefined) return head;
  const gutter = String(d.line).length;
  const shown = printable(d.sourceLine.replace(/\t/g, " "));
  const maxWidth = 200;
  // Very long lines are cut around the column so the caret stays visible.
  let start = 0;
  if (shown.length > maxWidth && d.column > maxWidth / 2) start = d.column - 1 - maxWidth / 2;
  const excerpt = shown.slice(start, start + maxWidth);
  const caretCol = d.column - 1 - start;
  const carets = "^".repeat(Math.max(1, Math.min(d.length, excerpt.length - caretCol)));
  return [
    head,
    `  ${String(d.line).padStart(gutter)} | ${excerpt}`,
    `  ${" ".repeat(gutter)} | ${" ".repeat(Math.max(0, caretCol))}${carets}`,
  ].join("\n");
}
