// Errors in the files a user hands to nnc (data, weights, model text read from disk), and how
// their contents are shown in messages. A cell or a name from a file is quoted through `shown`:
// control characters, terminal escapes and invisible or direction-changing characters become
// `\uXXXX`, and a long value is cut, so a message is one readable line whatever the file holds
// (a 60 MB cell or an escape sequence that clears the screen never reaches the terminal).
//
//   throw new DataError(`d.csv:4: ${shown("\u001b[2J" + "9".repeat(100))} is not a number`);
//   // d.csv:4: '\u001b[2J99999999999999999999999999999…' (104 characters) is not a number

/** A user error in an input file: printed as `nnc: error: …`, exit code 1 (compiler/cli/main.ts). */
export class DataError extends Error {}

/**
 * Characters that must not reach a terminal as they are: C0 and C1 controls (ESC starts escape
 * sequences, U+009B is a one-character CSI), DEL, line and paragraph separators, the bidi
 * controls that reorder text (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), zero-width ones and
 * the byte-order mark, and lone surrogates.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` with every unsafe character written as `\uXXXX`. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Characters of a value shown before it is cut. */
export const SHOWN_CHARS = 32;

/** A value from a file, quoted for a message: escaped, and cut after SHOWN_CHARS characters. */
export function shown(text: string): string {
  if (text.length <= SHOWN_CHARS) return `'${escapeUnsafe(text)}'`;
  // Cut before escaping, so the message stays short however the value is made.
  return `'${escapeUnsafe(text.slice(0, SHOWN_CHARS))}…' (${text.length} characters)`;
}

/** A parsed JSON value in a message: strings through `shown`, containers by kind. */
export function shownJson(value: unknown): string {
  if (typeof value === "string") return shown(value);
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") return "an object";
  return String(value);
}
