// The fuzz oracle: running the compiler on any text must end in a result or in an NncError
// located inside that text (file, a real line, a column on it, the line's own text), with a
// one-line message that formats into a three-line diagnostic. Anything else is a bug.
//
//   checkOutcome(() => analyze(src, FILE), src)   // "ok" | "error", or throws a description

import { NncError, formatDiagnostic } from "../../compiler/diagnostics.js";

export const FILE = "fuzz.nn";

/**
 * A hang guard, not a performance assertion: a case normally takes milliseconds; one that
 * runs past this has run away (a loop or exponential blow-up) and fails the run.
 */
export const CASE_DEADLINE_MS = 10_000;

/** Lines exactly as the compiler counts them (CRLF, LF and lone CR each end a line). */
export function sourceLines(source: string): string[] {
  return source.split(/\r\n|\r|\n/);
}

/** Why an NncError is not a proper diagnostic for `source`, or undefined when it is. */
export function diagnosticProblem(e: NncError, source: string, file = FILE): string | undefined {
  const d = e.diagnostic;
  const lines = sourceLines(source);
  if (d.file !== file) return `file is '${d.file}', expected '${file}'`;
  if (!Number.isInteger(d.line) || d.line < 1 || d.line > lines.length) return `line ${d.line} is outside 1..${lines.length}`;
  const text = lines[d.line - 1]!;
  if (!Number.isInteger(d.column) || d.column < 1 || d.column > text.length + 1) return `column ${d.column} is outside 1..${text.length + 1} on line ${d.line}`;
  if (!(d.length >= 1)) return `length ${d.length} < 1`;
  if (d.sourceLine !== undefined && d.sourceLine !== text) return `sourceLine is not the text of line ${d.line}`;
  if (d.message.trim() === "") return "empty message";
  if (/[\r\n\u2028\u2029]/.test(d.message)) return `message breaks the line: ${JSON.stringify(d.message)}`;
  const formatted = formatDiagnostic(d).split("\n");
  if (formatted.length !== 3) return `formatted diagnostic has ${formatted.length} lines, expected 3`;
  if (!formatted[0]!.startsWith(`${file}:${d.line}:${d.column}: error: `)) return `formatted head is ${JSON.stringify(formatted[0])}`;
  return undefined;
}

/** Shows a source in a failure message: escaped, and cut when long. */
export function showSource(source: string): string {
  const shown = JSON.stringify(source);
  return shown.length > 600 ? `${shown.slice(0, 600)}… (${source.length} chars)` : shown;
}

/** Runs `run` on `source`; returns "ok" or "error", or throws an Error describing the bug. */
export function checkOutcome(run: () => unknown, source: string): "ok" | "error" {
  try {
    run();
    return "ok";
  } catch (e) {
    if (!(e instanceof NncError)) {
      const err = e as Error;
      throw new Error(`not an NncError: ${err?.name}: ${err?.message}\n${err?.stack?.split("\n").slice(1, 6).join("\n")}\nsource: ${showSource(source)}`);
    }
    const problem = diagnosticProblem(e, source);
    if (problem) throw new Error(`badly located NncError (${problem}): ${e.message}\nsource: ${showSource(source)}`);
    return "error";
  }
}

/** Counts and the slowest case of one fuzz run, for the printed summary. */
export class FuzzStats {
  cases = 0;
  ok = 0;
  errors = 0;
  slowestMs = 0;
  slowestLength = 0;

  constructor(readonly name: string) {}

  record(outcome: "ok" | "error", ms: number, source: string): void {
    this.cases++;
    if (outcome === "ok") this.ok++;
    else this.errors++;
    if (ms > this.slowestMs) {
      this.slowestMs = ms;
      this.slowestLength = source.length;
    }
    if (ms > CASE_DEADLINE_MS) throw new Error(`runaway case: ${ms.toFixed(0)} ms (hang guard ${CASE_DEADLINE_MS} ms)\nsource: ${showSource(source)}`);
  }

  summary(seed: number): string {
    return `fuzz ${this.name}: ${this.cases} cases (seed ${seed}): ${this.ok} compiled, ${this.errors} located errors; slowest ${this.slowestMs.toFixed(0)} ms (${this.slowestLength} chars)`;
  }
}
