// The parser: `.nn` source text ──▶ Program (compiler/ast.ts).
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
import type { BinaryOp, CallExpr, Dim, Expr, Loc, NamedArg, Program, Statement } from "./ast.js";
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
const STATEMENT_KEYWORDS = KEYWORDS.slice(0, 8);

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
interface Context {
  file: string;
  source: string;
  lines: LineIndex;
}
let ctx: Context | undefined;

function context(): Context {
  if (!ctx) throw new Error("internal: semantics used outside parse()");
  return ctx;
}

// ---------------------------------------------------------------------------------------
// Entry point.

export function parse(source: string, file: string): Program {
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

// ---------------------------------------------------------------------------------------
// Locations. Lines end at CRLF, LF or a lone CR, exactly as diagnostics.sourceLineAt
// splits them, so the printed source line is always the one the column refers to.

class LineIndex {
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

function located(c: Context, offset: number, length: number, message: string): NncError {
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
interface OhmFailure {
  getText(): string;
  getType(): string;
}

const BINARY_OPS = new Set(["+", "-", "*", "/", "@", "^"]);
const EXPRESSION_STARTS = new Set(["a number", "a name", "a boolean", "(", "-"]);
const CLOSERS = new Set([",", ")", "]"]);
/** Order in which expected items are listed. */
const ITEM_ORDER = ["a statement", "an expression", "a name", "a dimension", "=", "~", "[", "(", ",", ")", "]", "an operator", "end of line"];

function syntaxError(c: Context, match: ohm.MatchResult): NncError {
  const src = c.source;
  const pos = (match as ohm.FailedMatchResult).getRightmostFailurePosition();
  const failures = (match as unknown as { getRightmostFailures(): OhmFailure[] }).getRightmostFailures();
  const raw = new Set(failures.map((f) => f.getText()));

  // A character the language never uses is the whole story, whatever was expected.
  const bad = badCharacter(src, pos);
  if (bad) return located(c, pos, bad.length, bad.message);

  const lineIdx = c.lines.lineOf(pos);
  const lineStart = c.lines.starts[lineIdx];
  const before = src.slice(lineStart, pos).replace(/#.*$/, ""); // code before pos on its line
  const firstWord = /^[ \t\uFEFF]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*$/.exec(before);

  // Normalize ohm's list into the items of our message.
  const items = new Set<string>();
  for (const text of raw) {
    if (text === "a line break" || text === "\uFEFF" || text.startsWith("not ")) continue;
    items.add(text === "end of input" ? "end of line" : text);
  }
  if (STATEMENT_KEYWORDS.some((k) => items.has(k))) {
    // The start of a line: any statement (or a blank line) could come here.
    for (const k of STATEMENT_KEYWORDS) items.delete(k);
    items.delete("a name");
    items.delete("end of line");
    items.add("a statement");
  }
  if (items.has("a number")) {
    for (const t of EXPRESSION_STARTS) items.delete(t);
    items.add("an expression");
  }
  if ([...items].some((t) => BINARY_OPS.has(t))) {
    for (const t of BINARY_OPS) items.delete(t);
    items.delete("("); // the '(' of a call after a name
    if (![...items].some((t) => CLOSERS.has(t))) items.add("an operator");
  }
  if (items.has(",") || items.has(")")) items.delete("="); // the '=' of a named argument
  // `model` / `output x` etc. can also look like the start of an assignment `model = ...`.
  const keywordStart = firstWord && STATEMENT_KEYWORDS.includes(firstWord[1]) ? firstWord[1] : undefined;
  if (keywordStart && keywordStart !== "loss") items.delete("=");

  const found = describeFound(src, pos);

  // `foo bar`: a line starting with a word that is neither a keyword nor followed by '='.
  if (firstWord && !keywordStart && items.size === 1 && items.has("=")) {
    const word = firstWord[1];
    const wordStart = lineStart + before.indexOf(word);
    const guess = closestKeyword(word);
    const hint = guess ? ` (did you mean '${guess}'?)` : "";
    return located(
      c,
      wordStart,
      word.length,
      `unknown statement '${word}'${hint}: a line starts with ${listKeywords()}, or is an assignment '${word} = ...'`,
    );
  }

  // `loss` with nothing usable after it.
  if (keywordStart === "loss" && firstWord && firstWord[0].length === before.length) {
    const at = reportPosition(c, pos);
    return located(c, at, 1, `expected a loss function call like 'mse(out, y)' or '= expression' after 'loss', found ${found.text}`);
  }

  let message: string;
  const ordered = [...items].sort((a, b) => rank(a) - rank(b));
  if (ordered.length === 0) {
    message = `unexpected ${found.text}`;
  } else {
    message = `expected ${joinOr(ordered.map(quoteItem))}`;
    if (keywordStart && firstWord && firstWord[0].length === before.length) message += ` after '${keywordStart}'`;
  }

  if (items.has("a statement") && found.kind === "number" && /[A-Za-z_]/.test(found.token)) {
    message += `, found '${found.token}' (a name cannot start with a digit)`;
    return located(c, pos, found.token.length, message);
  }
  if (found.kind === "number" && /[A-Za-z_.]/.test(found.token.replace(/^[0-9.]+([eE][+-]?[0-9]+)?/, ""))) {
    message += `, found invalid number '${found.token}'`;
    return located(c, pos, found.token.length, message);
  }

  // A missing ')' on one line makes the parser (which lets calls span lines) fail on the
  // next line; report it where it happened, just after the last token.
  const firstOnLine = /^[ \t\uFEFF]*$/.test(before);
  const movesBack = found.kind === "end" || (firstOnLine && [...items].some((t) => CLOSERS.has(t)));
  const at = movesBack ? reportPosition(c, pos) : pos;
  if (!movesBack || found.kind === "end") message += `, found ${found.text}`;
  const opener = unclosedOpener(c, at);
  if ((items.has(")") || items.has("]")) && opener !== undefined && c.lines.lineOf(opener) !== c.lines.lineOf(at)) {
    const o = c.lines.loc(opener, 1);
    message += ` (to close the '${src[opener]}' at line ${o.line}, column ${o.column})`;
  }
  return located(c, at, movesBack ? 1 : Math.max(1, found.token.length), message);
}

function rank(item: string): number {
  const i = ITEM_ORDER.indexOf(item);
  return i < 0 ? ITEM_ORDER.length : i;
}

function quoteItem(item: string): string {
  return /^[a-z]/.test(item) ? item : `'${item}'`;
}

function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join("");
  if (items.length === 2) return `${items[0]} or ${items[1]}`;
  return `${items.slice(0, -1).join(", ")}, or ${items[items.length - 1]}`;
}

function listKeywords(): string {
  return joinOr(STATEMENT_KEYWORDS.map((k) => `'${k}'`));
}

/** What the parser ran into: a word, a number-like run, one character, or the end of a line. */
function describeFound(src: string, pos: number): { kind: "end" | "word" | "number" | "char"; token: string; text: string } {
  if (pos >= src.length) return { kind: "end", token: "", text: "end of file" };
  const ch = src[pos];
  if (ch === "\n" || ch === "\r") return { kind: "end", token: "", text: "end of line" };
  const rest = src.slice(pos, pos + 200);
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  if (word) return { kind: "word", token: word[0], text: `'${word[0]}'` };
  const num = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]*)?[A-Za-z0-9_.]*/.exec(rest);
  if (num) return { kind: "number", token: num[0], text: `'${num[0]}'` };
  return { kind: "char", token: ch, text: `'${ch}'` };
}

/** Characters that can appear outside comments in a valid program. */
const LANGUAGE_CHARS = /[A-Za-z0-9_ \t\r\n#()[\],=~+\-*/@^.]/;

function badCharacter(src: string, pos: number): { message: string; length: number } | undefined {
  if (pos >= src.length) return undefined;
  const cp = src.codePointAt(pos)!;
  const ch = String.fromCodePoint(cp);
  if (LANGUAGE_CHARS.test(ch)) return undefined;
  if (pos === 0 && cp === 0xfeff) return undefined;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  const visible = cp > 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0x9f) && !/[\p{Z}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u.test(ch);
  let message = visible ? `unexpected character '${ch}'${cp > 0x7e ? ` (${hex})` : ""}` : `unexpected character ${hex}`;
  if (/\p{L}/u.test(ch)) message += "; names may only use ASCII letters, digits and '_'";
  return { message, length: ch.length };
}

/**
 * Where to point for a failure at `pos` that is preceded only by spaces, comments and line
 * breaks: just after the last token before it (so `h = dense(x, 2` plus more lines points
 * after the `2`, not at the next line).
 */
function reportPosition(c: Context, pos: number): number {
  const src = c.source;
  let line = c.lines.lineOf(Math.min(pos, src.length));
  let limit = pos;
  while (line >= 0) {
    const start = c.lines.starts[line];
    let end = Math.min(limit, c.lines.lineEnd(line));
    const hash = src.indexOf("#", start);
    if (hash >= 0 && hash < end) end = hash;
    while (end > start && (src[end - 1] === " " || src[end - 1] === "\t" || src[end - 1] === "\uFEFF")) end--;
    if (end > start) return end;
    line--;
    limit = Infinity;
  }
  return pos;
}

/** Offset of the innermost ( or [ still open at `pos`, ignoring comments. */
function unclosedOpener(c: Context, pos: number): number | undefined {
  const s = c.source;
  const stack: number[] = [];
  for (let i = 0; i < pos && i < s.length; i++) {
    const ch = s[i];
    if (ch === "#") {
      while (i + 1 < s.length && s[i + 1] !== "\n" && s[i + 1] !== "\r") i++;
    } else if (ch === "(" || ch === "[") {
      stack.push(i);
    } else if (ch === ")" || ch === "]") {
      stack.pop();
    }
  }
  return stack[stack.length - 1];
}

/** A statement keyword within edit distance 2 of `word`, if any. */
function closestKeyword(word: string): string | undefined {
  let best: string | undefined;
  let bestDist = 3;
  for (const k of STATEMENT_KEYWORDS) {
    const d = editDistance(word.toLowerCase(), k);
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
