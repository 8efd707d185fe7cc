// The model file as elaboration sees it: located failures, each statement's model line (the
// origin stamped on the nodes it creates), and where every name is first defined.
//
//   const src = new SourceText(file);  src.fail(loc, "unknown name 'hiden'")  // throws NncError at file:line:col

import type { Loc, ModelFile } from "../ast.js";
import { errorAt } from "../diagnostics.js";
import type { Origin } from "../ir/node.js";
import type { Fail } from "./args.js";

export class SourceText {
  readonly fail: Fail;
  private readonly lines: string[];
  /** Where each name is first defined, to explain uses before the definition. */
  readonly definedAt = new Map<string, Loc>();
  /** Where whole-model problems (a missing loss) are reported: the `model` line, else the first statement, else 1:1. */
  readonly anchor: Loc;

  constructor(readonly file: ModelFile) {
    this.fail = (loc, message) => errorAt(file.file, file.source, loc, message);
    this.lines = file.source.split(/\r\n|\r|\n/);
    for (const s of file.statements) {
      if ("nameLoc" in s && s.kind !== "model" && s.kind !== "output" && !this.definedAt.has(s.name)) this.definedAt.set(s.name, s.nameLoc);
    }
    this.anchor = (file.statements.find((s) => s.kind === "model") ?? file.statements[0])?.loc ?? { line: 1, column: 1, offset: 0, length: 1 };
  }

  /** The trimmed text of a line (1-based). */
  lineText(line: number): string {
    return (this.lines[line - 1] ?? "").trim();
  }

  /** The origin stamped on nodes created for the statement at `line`. */
  origin(line: number): Origin {
    return { line, text: this.lineText(line) };
  }
}
