// What the parser and its syntax-error messages share: the keywords, the per-call context
// (file, source, line index) and located errors. A file of its own so that the two import it
// rather than each other.
//
//   located(ctx, 12, 3, "expected ',' or ')'")  ->  NncError at model.nn:2:5 with the source line

import type { Loc } from "./ast.js";
import { NncError, sourceLineAt } from "./diagnostics.js";

/** Words that start statements or are literals; none of them may be used as a name. */
export const KEYWORDS: readonly string[] = [
  "model",
  "input",
  "target",
  "param",
  "loss",
  "optimizer",
  "output",
  "metrics",
  "true",
  "false",
];

/** The statement keywords, in the order the error messages list them. */
export const STATEMENT_KEYWORDS = KEYWORDS.slice(0, 8);

export interface ParseContext {
  file: string;
  source: string;
  lines: LineIndex;
}

// ---------------------------------------------------------------------------------------
// Locations. Lines end at CRLF, LF or a lone CR, exactly as diagnostics.sourceLineAt
// splits them, so the printed source line is always the one the column refers to.

export class LineIndex {
  /** Offset of the first character of each line. */
  readonly starts: number[] = [0];

  constructor(readonly source: string) {
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (source.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      } else if (c === 10 /* \n */) {
        this.starts.push(i + 1);
      }
    }
  }

  /** 0-based index of the line containing `offset`. */
  lineOf(offset: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** End of line `line` (0-based), before its line break. */
  lineEnd(line: number): number {
    const next = this.starts[line + 1];
    if (next === undefined) return this.source.length;
    let end = next - 1;
    if (this.source[end] === "\n" && this.source[end - 1] === "\r") end--;
    return end;
  }

  loc(offset: number, length: number): Loc {
    const line = this.lineOf(offset);
    return { line: line + 1, column: offset - this.starts[line] + 1, offset, length };
  }
}

export function located(c: ParseContext, offset: number, length: number, message: string): NncError {
  const loc = c.lines.loc(offset, length);
  return new NncError({
    file: c.file,
    line: loc.line,
    column: loc.column,
    length: Math.max(1, length),
    message,
    sourceLine: sourceLineAt(c.source, loc.line),
  });
}

