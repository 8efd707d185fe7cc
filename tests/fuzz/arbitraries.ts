// fast-check generators of model sources for the fuzz tests: random text, random token
// sequences, and mutations of the example models (deleted, duplicated, swapped tokens, huge
// numbers, deep nesting, very long lines, non-ASCII, NUL bytes, CRLF/CR line ends). Generated
// models that are mostly valid are in models.ts.
//
//   fc.sample(mutatedExample(loadExamples()), 3)   // three mutated copies of dsl-examples/*.nn

import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";

export interface Example {
  name: string;
  source: string;
}

/** Every model in dsl-examples/, read when the tests run (new examples are fuzzed too). */
export function loadExamples(): Example[] {
  const dir = new URL("../../dsl-examples/", import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".nn"))
    .sort()
    .map((f) => ({ name: f, source: readFileSync(new URL(f, dir), "utf8") }));
}

// ---- vocabulary ----------------------------------------------------------------------

const KEYWORDS = ["model", "input", "target", "param", "loss", "optimizer", "output", "metrics", "true", "false"];
const NAMES = ["x", "y", "h", "h2", "W", "W1", "b1", "out", "p", "z", "_", "a1", "constructor", "__proto__", "class", "delete", "new", "function"];
const FUNCTIONS = [
  "dense", "dropout", "sigmoid", "tanh", "relu", "softmax", "exp", "log", "sqrt", "abs", "square", "sum", "mean",
  "logsumexp", "log_softmax", "leaky_relu", "elu", "softplus", "linear", "mse", "mae", "binary_crossentropy",
  "categorical_crossentropy", "sparse_categorical_crossentropy",
];
const OTHER_WORDS = ["sgd", "adam", "rmsprop", "adagrad", "glorot_uniform", "zeros", "ones", "constant", "he_normal", "lr", "learning_rate", "momentum", "clipnorm", "rate", "units", "from_logits", "value", "accuracy"];
export const HUGE_NUMBERS = [
  "1e308", "1e309", "1e999", "1e-400", "99999999999999999999999", "9007199254740993", "4294967297", "2147483648",
  "10000000", "10000001", "0", "0.0", "00", "1e+9", "5e-324", "123456789", `1${"0".repeat(400)}`,
];
const NUMBERS = ["0", "1", "2", "3", "8", "0.5", ".5", "1e-4", "2.5E+3", "1.", "1e", "007", ...HUGE_NUMBERS];
const PUNCT = ["(", ")", "[", "]", ",", "=", "~", "+", "-", "*", "/", "@", "^", ".", "#"];
const SPACE = [" ", "\t", "\n", "\r\n", "\r", "# comment\n", "  "];
export const STRANGE = ["é", "中", "😀", "\u0000", "\u2028", "\u2029", "\uFEFF", "\ud800", "\udfff", "\u00a0", "\u200b", "$", "`", "'", '"', "*/", "/*", "${", "\\", "\u202e", "\u0007", "\f", "\v"];

const VOCABULARY = [...KEYWORDS, ...NAMES, ...FUNCTIONS, ...OTHER_WORDS, ...NUMBERS, ...PUNCT, ...SPACE, ...STRANGE];

/** Characters of the language plus a few troublemakers, for character-level noise. */
const LANGUAGE_CHARS = [..."abcdxyzhWmodelinputargsfmu_0123456789 \t\n\r#()[],=~+-*/@^.", "\r\n", "é", "\u0000", "\u2028"];

// ---- random text and tokens -----------------------------------------------------------

/** Arbitrary text: any UTF-16 units (lone surrogates included) or the language's characters. */
export function randomText(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: "binary", maxLength: 120 }),
    fc.string({ unit: fc.constantFrom(...LANGUAGE_CHARS), maxLength: 200 }),
  );
}

/** Random sequences of the language's tokens (and some that are not), loosely spaced. */
export function randomTokens(): fc.Arbitrary<string> {
  const piece = fc.tuple(fc.constantFrom(...VOCABULARY), fc.constantFrom("", "", " ", "\n"));
  return fc.array(piece, { maxLength: 60 }).map((parts) => parts.map(([t, sep]) => t + sep).join(""));
}

// ---- mutations of valid models ------------------------------------------------------

/** Splits source into tokens that concatenate back to it exactly (spaces and comments kept). */
export function tokenize(source: string): string[] {
  return source.match(/\r\n|[\r\n]|[ \t]+|#[^\r\n]*|[A-Za-z_][A-Za-z0-9_]*|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?|[\s\S]/g) ?? [];
}

export type Mutation =
  | { kind: "delete" | "duplicate"; at: number }
  | { kind: "swap"; at: number; with: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "replace-number"; at: number; text: string }
  | { kind: "nest"; at: number; depth: number; closed: boolean }
  | { kind: "long-line"; at: number; form: "comment" | "name" | "sum" | "number" | "spaces"; length: number }
  | { kind: "line-ends"; style: "\r\n" | "\r" };

/** One random mutation (see `mutate`). */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom("delete" as const, "duplicate" as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom(...VOCABULARY) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("replace-number" as const), at: fc.nat(), text: fc.constantFrom(...HUGE_NUMBERS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("nest" as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 60 }), closed: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("long-line" as const),
      at: fc.nat(),
      form: fc.constantFrom("comment" as const, "name" as const, "sum" as const, "number" as const, "spaces" as const),
      length: fc.integer({ min: 100, max: 3000 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom(...STRANGE) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("line-ends" as const), style: fc.constantFrom("\r\n" as const, "\r" as const) }) },
);

function longText(form: "comment" | "name" | "sum" | "number" | "spaces", length: number): string {
  switch (form) {
    case "comment":
      return `# ${"ünïcode ".repeat(Math.ceil(length / 8))}\n`;
    case "name":
      return "n".repeat(length);
    case "sum":
      return Array.from({ length: Math.ceil(length / 4) }, () => "x").join(" + ");
    case "number":
      return "7".repeat(length);
    case "spaces":
      return " ".repeat(length);
  }
}

/** Applies `mutations` in order to the tokens of `source`. */
export function mutate(source: string, mutations: readonly Mutation[]): string {
  let tokens = tokenize(source);
  for (const m of mutations) {
    const n = tokens.length;
    const at = n === 0 ? 0 : ("at" in m ? m.at % (n + 1) : 0);
    switch (m.kind) {
      case "delete":
        tokens.splice(at, 1);
        break;
      case "duplicate":
        if (at < n) tokens.splice(at, 0, tokens[at]!);
        break;
      case "swap": {
        const other = n === 0 ? 0 : m.with % n;
        if (at < n) [tokens[at], tokens[other]] = [tokens[other]!, tokens[at]!];
        break;
      }
      case "insert":
        tokens.splice(at, 0, m.text);
        break;
      case "replace-number": {
        // The first number at or after `at` (dimensions, units, rates, learning rates).
        const i = tokens.findIndex((t, k) => k >= at && /^[0-9.]/.test(t));
        if (i >= 0) tokens[i] = m.text;
        else tokens.splice(at, 0, m.text);
        break;
      }
      case "nest":
        tokens.splice(at, 0, "(".repeat(m.depth) + "x" + (m.closed ? ")".repeat(m.depth) : ""));
        break;
      case "long-line":
        tokens.splice(at, 0, longText(m.form, m.length));
        break;
      case "line-ends":
        tokens = tokenize(tokens.join("").replace(/\r\n|\r|\n/g, m.style));
        break;
    }
  }
  return tokens.join("");
}

/** An example model with one to four mutations. */
export function mutatedExample(examples: readonly Example[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...examples), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([example, mutations]) => mutate(example.source, mutations));
}
