// The syntax tree of a `.nn` model file: what the parser produces and elaboration consumes.
// Every node keeps its source location so that later passes can point at the DSL.
//
//   h = dense(x, 2, sigmoid)
//   ──▶ { kind: "assign", name: "h", value: { kind: "call", callee: "dense", args: [x, 2, sigmoid], named: [] } }

/** A 1-based line and column plus the 0-based character span in the source. */
export interface Loc {
  line: number;
  column: number;
  offset: number;
  length: number;
}

export type BinaryOp = "+" | "-" | "*" | "/" | "^" | "@";

export type Expr =
  | { kind: "num"; value: number; text: string; loc: Loc }
  | { kind: "bool"; value: boolean; loc: Loc }
  | { kind: "name"; name: string; loc: Loc }
  /** `"same"`: only as an argument naming a choice. */
  | { kind: "string"; value: string; loc: Loc }
  /** `[3, 3]`: only as an argument (a size, strides, a shape). */
  | { kind: "list"; items: Expr[]; loc: Loc }
  | { kind: "unary"; op: "-"; operand: Expr; loc: Loc }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr; loc: Loc }
  | CallExpr;

export interface CallExpr {
  kind: "call";
  callee: string;
  calleeLoc: Loc;
  args: Expr[];
  named: NamedArg[];
  loc: Loc;
}

export interface NamedArg {
  name: string;
  nameLoc: Loc;
  value: Expr;
  loc: Loc;
}

export interface Dim {
  value: number;
  loc: Loc;
}

export type Statement =
  | { kind: "model"; name: string; nameLoc: Loc; loc: Loc }
  | { kind: "input" | "target"; name: string; nameLoc: Loc; shape: Dim[]; loc: Loc }
  /** `param W[8, 2] ~ glorot_uniform` or `~ constant(value = 0.1)`; init is a name or a call. */
  | { kind: "param"; name: string; nameLoc: Loc; shape: Dim[]; init: CallExpr; loc: Loc }
  | { kind: "assign"; name: string; nameLoc: Loc; value: Expr; loc: Loc }
  /** `loss mse(out, y)` is form "builtin" (value is the call); `loss = expr` is form "expr". */
  | { kind: "loss"; form: "builtin" | "expr"; value: Expr; loc: Loc }
  | { kind: "optimizer"; call: CallExpr; loc: Loc }
  | { kind: "output"; name: string; nameLoc: Loc; loc: Loc }
  | { kind: "metrics"; names: { name: string; loc: Loc }[]; loc: Loc };

export interface ModelFile {
  /** The file name as the user gave it (used in diagnostics). */
  file: string;
  source: string;
  statements: Statement[];
}
