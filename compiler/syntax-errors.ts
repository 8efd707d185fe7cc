// Syntax errors in our own words: from the tokens ohm expected at the rightmost failure
// to one located message ("expected ',' or ')', found '2'"), never ohm's own text.
//
//   syntaxError(ctx, match)  ->  NncError at model.nn:4:13 "expected ',' or ')', found '2'"

import type * as ohm from "ohm-js";
import type { NncError } from "./diagnostics.js";
import { editDistance } from "./suggest.js";
import { STATEMENT_KEYWORDS, located, type ParseContext as Context } from "./syntax-context.js";

interface OhmFailure {
  getText(): string;
  getType(): string;
}

const BINARY_OPS = new Set(["+", "-", "*", "/", "@", "^"]);
const EXPRESSION_STARTS = new Set(["a number", "a name", "a boolean", "a string", "(", "[", "-"]);
const CLOSERS = new Set([",", ")", "]"]);
/** Order in which expected items are listed. */
const ITEM_ORDER = ["a statement", "an expression", "a name", "a dimension", "=", "~", "[", "(", ",", ")", "]", "an operator", "end of line"];

export function syntaxError(c: Context, match: ohm.MatchResult): NncError {
  const src = c.source;
  const pos = (match as ohm.FailedMatchResult).getRightmostFailurePosition();
  const failures = (match as unknown as { getRightmostFailures(): OhmFailure[] }).getRightmostFailures();
  const raw = new Set(failures.map((f) => f.getText()));

  // A character the language never uses is the whole story, whatever was expected.
  const bad = badCharacter(src, pos);
  if (bad) return located(c, pos, bad.length, bad.message);

  // A quote that starts no string: one left open to the end of its line.
  if (src[pos] === '"') return located(c, pos, 1, `a string opened here has no closing '"' on its line`);

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
const LANGUAGE_CHARS = /[A-Za-z0-9_ \t\r\n#()[\],=~+\-*/@^."]/;

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
