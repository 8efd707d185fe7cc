// The parser: `.nn` source text ──▶ ModelFile (compiler/ast.ts).
//
// The grammar lives in ./grammar/nn.ohm and is compiled once, on first use. A failed
// match becomes an NncError whose message is written from the tokens ohm expected at
// the rightmost failure ("expected ',' or ')', found '2'"), never ohm's own message.
// A successful match is turned into the AST by an ohm semantics, which also performs the
// checks that read better as located errors than as syntax errors: keywords used as
// names, dimensions that are not positive integers, numbers out of range, positional
// arguments after named ones.
//
// parse() throws nothing but NncError, whatever the input: bracket nesting beyond
// MAX_NESTING is rejected before matching, and a stack overflow anywhere is converted.

import { existsSync, readFileSync } from "node:fs";
import * as ohm from "ohm-js";
import type { BinaryOp, CallExpr, Dim, Expr, Loc, NamedArg, ModelFile, Statement } from "./ast.js";
import { NncError } from "./diagnostics.js";
import { KEYWORDS, LineIndex, type ParseContext, located } from "./syntax-context.js";
import { syntaxError } from "./syntax-errors.js";

/** Deepest allowed nesting of ( and [ (far more than any model needs, far less than the stack allows). */
export const MAX_NESTING = 50;

// ---------------------------------------------------------------------------------------
// Grammar and semantics, built once.

let compiled: { grammar: ohm.Grammar; semantics: ohm.Semantics } | undefined;

function compile(): { grammar: ohm.Grammar; semantics: ohm.Semantics } {
  if (!compiled) {
    // A build (scripts/build.ts) stores the compiled grammar as an ohm recipe beside nn.ohm:
    // loading it takes ~10 ms where compiling nn.ohm takes ~350 ms (most of `nnc`'s start-up).
    const recipe = new URL("./grammar/nn.ohm-recipe.json", import.meta.url);
    const grammar = existsSync(recipe)
      ? (ohm as unknown as { makeRecipe(recipe: unknown): ohm.Grammar }).makeRecipe(JSON.parse(readFileSync(recipe, "utf8")))
      : ohm.grammar(readFileSync(new URL("./grammar/nn.ohm", import.meta.url), "utf8"));
    const semantics = grammar.createSemantics();
    addOperations(semantics);
    compiled = { grammar, semantics };
  }
  return compiled;
}

/** Per-call state the semantic actions need (parse is synchronous, so one slot suffices). */
type Context = ParseContext;
let ctx: Context | undefined;

function context(): Context {
  if (!ctx) throw new Error("internal: semantics used outside parse()");
  return ctx;
}

// ---------------------------------------------------------------------------------------
// Entry point.

export function parse(source: string, file: string): ModelFile {
  const lines = new LineIndex(source);
  const here: Context = { file, source, lines };
  checkNesting(here);
  const { grammar, semantics } = compile();
  try {
    const match = grammar.match(source);
    if (match.failed()) throw syntaxError(here, match);
    ctx = here;
    try {
      const statements: Statement[] = semantics(match).program();
      return { file, source, statements };
    } finally {
      ctx = undefined;
    }
  } catch (e) {
    if (e instanceof NncError) throw e;
    if (e instanceof RangeError) throw located(here, 0, 1, "expression nested too deeply");
    throw e;
  }
}

function fail(loc: Loc, message: string): never {
  const c = context();
  throw located(c, loc.offset, loc.length, message);
}

// ---------------------------------------------------------------------------------------
// Nesting guard: ohm and the semantics recurse once per bracket level, so refuse absurd
// depths up front with a located error instead of overflowing the stack.

function checkNesting(c: Context): void {
  const s = c.source;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "#") {
      while (i < s.length && s[i] !== "\n" && s[i] !== "\r") i++;
    } else if (ch === "(" || ch === "[") {
      if (++depth > MAX_NESTING) {
        throw located(c, i, 1, `expression nested too deeply (more than ${MAX_NESTING} levels of brackets)`);
      }
    } else if ((ch === ")" || ch === "]") && depth > 0) {
      depth--;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Semantics: CST ──▶ AST.

type Node = ohm.Node;

function nodeLoc(node: Node): Loc {
  const { startIdx, endIdx } = node.source;
  return context().lines.loc(startIdx, endIdx - startIdx);
}

/** The span from the start of `first` to the end of `last`. */
function spanLoc(first: Node, last: Node): Loc {
  const start = first.source.startIdx;
  return context().lines.loc(start, last.source.endIdx - start);
}

function binary(op: BinaryOp, left: Expr, right: Expr, first: Node, last: Node): Expr {
  return { kind: "binary", op, left, right, loc: spanLoc(first, last) };
}

/** Applies the prefix minus signs in `negs` (outermost first) to `operand`, which ends at `last`. */
function negate(negs: Node[], operand: Expr, last: Node): Expr {
  let e = operand;
  for (let i = negs.length - 1; i >= 0; i--) {
    e = { kind: "unary", op: "-", operand: e, loc: spanLoc(negs[i], last) };
  }
  return e;
}

/** Folds `first (op rest)*` left-associatively. */
function foldLeft(first: Node, ops: Node, rests: Node): Expr {
  let acc: Expr = first.expr();
  const restNodes = rests.children;
  ops.children.forEach((op, i) => {
    const last = restNodes[i];
    acc = binary(op.sourceString as BinaryOp, acc, last.expr(), first, last);
  });
  return acc;
}

function ident(node: Node): { name: string; loc: Loc } {
  return node.ident();
}

function nameStatement<K extends "model" | "output">(kind: K, stmt: Node, nameNode: Node) {
  const { name, loc: nameLoc } = ident(nameNode);
  return { kind, name, nameLoc, loc: nodeLoc(stmt) };
}

function addOperations(semantics: ohm.Semantics): void {
  semantics.addOperation<Statement[]>("program", {
    Program(_bom, _leading, list, _trailing, _end) {
      const lists = list.children;
      if (lists.length === 0) return [];
      return lists[0].asIteration().children.map((s) => s.stmt() as Statement);
    },
  });

  semantics.addOperation<Statement>("stmt", {
    ModelStmt(_kw, name) {
      return nameStatement("model", this, name);
    },
    IOStmt(kw, name, shape) {
      const id = ident(name);
      const kind = kw.sourceString === "input" ? "input" : "target";
      return { kind, name: id.name, nameLoc: id.loc, shape: shape.shape(), loc: nodeLoc(this) };
    },
    ParamStmt(_kw, name, shape, _tilde, init) {
      const id = ident(name);
      return { kind: "param", name: id.name, nameLoc: id.loc, shape: shape.shape(), init: init.call(), loc: nodeLoc(this) };
    },
    LossStmt_expr(_kw, _eq, value) {
      return { kind: "loss", form: "expr", value: value.expr(), loc: nodeLoc(this) };
    },
    LossStmt_builtin(_kw, call) {
      return { kind: "loss", form: "builtin", value: call.call(), loc: nodeLoc(this) };
    },
    OptimizerStmt(_kw, call) {
      return { kind: "optimizer", call: call.call(), loc: nodeLoc(this) };
    },
    OutputStmt(_kw, name) {
      return nameStatement("output", this, name);
    },
    MetricsStmt_bracketed(_kw, _open, _w1, list, _w2, _close) {
      return { kind: "metrics", names: list.asIteration().children.map(ident), loc: nodeLoc(this) };
    },
    MetricsStmt_plain(_kw, list) {
      return { kind: "metrics", names: list.asIteration().children.map(ident), loc: nodeLoc(this) };
    },
    AssignStmt(name, _eq, value) {
      const id = ident(name);
      return { kind: "assign", name: id.name, nameLoc: id.loc, value: value.expr(), loc: nodeLoc(this) };
    },
  });

  semantics.addOperation<Dim[]>("shape", {
    Shape(_open, _w1, list, _w2, _close) {
      return list.asIteration().children.map((d) => d.dim() as Dim);
    },
  });

  semantics.addOperation<Dim>("dim", {
    dim_number(_minus, _number) {
      const loc = nodeLoc(this);
      const text = this.sourceString;
      const value = Number(text);
      if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
        fail(loc, `dimension must be a positive integer, got '${text}'`);
      }
      return { value, loc };
    },
    dim_name(_name) {
      fail(nodeLoc(this), `dimension must be a positive integer, got '${this.sourceString}'`);
    },
  });

  semantics.addOperation<{ name: string; loc: Loc }>("ident", {
    name(_first, _rest) {
      const loc = nodeLoc(this);
      const name = this.sourceString;
      if (KEYWORDS.includes(name)) fail(loc, `'${name}' is a keyword and cannot be used as a name`);
      return { name, loc };
    },
  });

  // A call, or a bare name standing for a call without arguments (`~ zeros`, `optimizer adam`).
  semantics.addOperation<CallExpr>("call", {
    Call(name, _open, _w1, args, _w2, _close) {
      const callee = ident(name);
      const positional: Expr[] = [];
      const named: NamedArg[] = [];
      const argNodes = args.children.length > 0 ? args.children[0].child(0).asIteration().children : [];
      for (const argNode of argNodes) {
        const inner = argNode.child(0);
        if (inner.ctorName === "NamedArg") {
          const arg: NamedArg = inner.namedArg();
          if (named.some((n) => n.name === arg.name)) fail(arg.nameLoc, `duplicate argument '${arg.name}'`);
          named.push(arg);
        } else {
          const value: Expr = inner.expr();
          if (named.length > 0) fail(value.loc, "positional argument after named argument");
          positional.push(value);
        }
      }
      return { kind: "call", callee: callee.name, calleeLoc: callee.loc, args: positional, named, loc: nodeLoc(this) };
    },
    name(_first, _rest) {
      const { name, loc } = ident(this);
      return { kind: "call", callee: name, calleeLoc: loc, args: [], named: [], loc };
    },
  });

  semantics.addOperation<NamedArg>("namedArg", {
    NamedArg(name, _w1, _eq, _w2, value) {
      const id = ident(name);
      return { name: id.name, nameLoc: id.loc, value: value.expr(), loc: nodeLoc(this) };
    },
  });

  semantics.addOperation<Expr>("expr", {
    Expr(first, _n1, ops, _n2, rests) {
      return foldLeft(first, ops, rests);
    },
    Product(first, _n1, ops, _n2, rests) {
      return foldLeft(first, ops, rests);
    },
    Unary(negs, _ns, power) {
      return negate(negs.children, power.expr(), power);
    },
    // base (^ signed)*, right-associative: a ^ -b ^ c = a ^ (-(b ^ c)).
    Power(base, _n1, _carets, _n2, signeds) {
      const items = signeds.children;
      let acc: Expr | undefined;
      for (let i = items.length - 1; i >= 0; i--) {
        const [negs, , primary] = items[i].children;
        let e: Expr = primary.expr();
        if (acc) e = binary("^", e, acc, primary, items[items.length - 1]);
        acc = negate(negs.children, e, items[items.length - 1]);
      }
      const left: Expr = base.expr();
      return acc ? binary("^", left, acc, base, items[items.length - 1]) : left;
    },
    Paren(_open, _w1, inner, _w2, _close) {
      return inner.expr();
    },
    Call(_name, _open, _w1, _args, _w2, _close) {
      return this.call();
    },
    bool(_kw) {
      return { kind: "bool", value: this.sourceString === "true", loc: nodeLoc(this) };
    },
    string(_open, _chars, _close) {
      return { kind: "string", value: this.sourceString.slice(1, -1), loc: nodeLoc(this) };
    },
    List(_open, _w1, items, _w2, _close) {
      return { kind: "list", items: items.asIteration().children.map((i) => i.expr() as Expr), loc: nodeLoc(this) };
    },
    number(_n) {
      const loc = nodeLoc(this);
      const text = this.sourceString;
      const value = Number(text);
      if (!Number.isFinite(value)) fail(loc, `number out of range: '${text}'`);
      return { kind: "num", value, text, loc };
    },
    name(_first, _rest) {
      const { name, loc } = ident(this);
      return { kind: "name", name, loc };
    },
  });
}

// ---------------------------------------------------------------------------------------
// Syntax errors: our own message from ohm's expected-token list.

/** The subset of ohm's Failure we use (not in ohm's typings, but stable since v0.x). */
