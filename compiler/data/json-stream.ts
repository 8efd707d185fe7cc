// A streaming JSON parser: text chunks in, the parsed value out, without the text ever being
// one string (weights files of hundreds of megabytes). It builds what JSON.parse would, except
// that arrays at paths the caller picks (a weights file's params.NAME.data) are collected into
// Float64Arrays as long as they hold only numbers — 8 bytes a value instead of a JS array.
// Strings, numbers and nesting have limits, so no input can make it hold more than the document.
//
//   const json = new JsonStream((path) => (path[0] === "params" && path[2] === "data" ? 1024 : null));
//   json.push('{"params": {"W": {"data": [1, 2');  json.push(", 3]}}}");
//   json.end();   // { params: { W: { data: Float64Array [1, 2, 3] } } }

import { escapeUnsafe } from "./errors.js";

/** Thrown for text that is not JSON; `message` says what and where ("… at line 3, column 7"). */
export class JsonSyntaxError extends Error {}

/** For an array about to open at `path` (keys and indexes from the root): a capacity to collect it as numbers, or null. */
export type NumberArrayHint = (path: readonly (string | number)[]) => number | null;

export const MAX_JSON_DEPTH = 64;
/** The longest string or number token (16 Mi characters). */
export const MAX_TOKEN_CHARS = 1 << 24;

interface Frame {
  /** The object or array being filled; null while an array collects numbers. */
  value: Record<string, unknown> | unknown[] | null;
  isObject: boolean;
  /** The key whose value comes next (objects), or the index of the next element (arrays). */
  key: string | number;
  /** Numbers collected for an array picked by the hint. */
  numbers: Float64Array | null;
  count: number;
  /** Whether an element or member has been read (a comma must come before the next). */
  filled: boolean;
}

/** What the parser waits for next. */
const Want = { Value: 0, CommaOrEnd: 1, Key: 2, Colon: 3, Done: 4 } as const;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * The value of `text` (made only of digits, '.', 'e', 'E', '+', '-') if it is a JSON number, else
 * NaN; the same answer as testing NUMBER, faster. Number() refuses every malformed text of these
 * characters but three that JSON refuses too: a leading zero ("01"), a point without a digit
 * after it ("1.", "1.e5") and no digit before one ("-.5").
 */
function jsonNumber(text: string): number {
  const value = +text;
  if (value !== value) return NaN;
  const first = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (!isDigit(text.charCodeAt(first))) return NaN;
  if (text.charCodeAt(first) === 0x30 && isDigit(text.charCodeAt(first + 1))) return NaN;
  const point = text.indexOf(".");
  return point >= 0 && !isDigit(text.charCodeAt(point + 1)) ? NaN : value;
}

export class JsonStream {
  private stack: Frame[] = [];
  private want: number = Want.Value;
  private result: unknown = undefined;
  /** A string, number or literal cut by the end of a chunk: its text so far and its kind. */
  private partial = "";
  private partialKind = "";
  private line = 1;
  private column = 1;

  constructor(private readonly hint: NumberArrayHint = () => null) {}

  push(chunk: string): void {
    let i = 0;
    if (this.partialKind !== "") i = this.continueToken(chunk, 0);
    while (i < chunk.length) {
      if (this.stack.length > 0 && this.stack[this.stack.length - 1]!.numbers !== null) {
        i = this.numbers(chunk, i);
        if (i >= chunk.length) break;
      }
      const c = chunk.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i++;
        this.column++;
        continue;
      }
      if (c === 0x0a) {
        i++;
        this.line++;
        this.column = 1;
        continue;
      }
      if (c === 0x22 /* " */) {
        if (this.want !== Want.Value && this.want !== Want.Key) this.fail(c);
        this.partialKind = "string";
        this.partial = "";
        i = this.continueToken(chunk, i + 1, true);
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
        // -, digits, t(rue), f(alse), n(ull)
        if (this.want !== Want.Value) this.fail(c);
        this.partialKind = c === 0x74 || c === 0x66 || c === 0x6e ? "literal" : "number";
        this.partial = "";
        i = this.continueToken(chunk, i);
      } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        if (this.want !== Want.Value) this.fail(c);
        this.open(c === 0x7b);
        i++;
        this.column++;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        const top = this.stack[this.stack.length - 1];
        const closesEmpty = top && !top.filled && (c === 0x7d ? this.want === Want.Key && top.isObject : this.want === Want.Value && !top.isObject);
        if (!top || top.isObject !== (c === 0x7d) || (this.want !== Want.CommaOrEnd && !closesEmpty)) this.fail(c);
        this.close();
        i++;
        this.column++;
      } else if (c === 0x2c /* , */) {
        if (this.want !== Want.CommaOrEnd || this.stack.length === 0) this.fail(c);
        this.want = this.stack[this.stack.length - 1]!.isObject ? Want.Key : Want.Value;
        i++;
        this.column++;
      } else if (c === 0x3a /* : */) {
        if (this.want !== Want.Colon) this.fail(c);
        this.want = Want.Value;
        i++;
        this.column++;
      } else {
        this.fail(c);
      }
    }
  }

  /**
   * The fast path inside an array collected as numbers: reads "1.5, -2e-3, …" straight into the
   * Float64Array and returns where anything else starts (a bracket, a number cut by the end of
   * the chunk, a value that is not a number), for the general loop to handle.
   */
  private numbers(chunk: string, from: number): number {
    const top = this.stack[this.stack.length - 1]!;
    let i = from;
    let lineStart = from - (this.column - 1);
    while (i < chunk.length) {
      const c = chunk.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i++;
      } else if (c === 0x0a) {
        i++;
        this.line++;
        lineStart = i;
      } else if (c === 0x2c && this.want === Want.CommaOrEnd) {
        this.want = Want.Value;
        i++;
      } else if ((c === 0x2d || (c >= 0x30 && c <= 0x39)) && this.want === Want.Value) {
        let end = i + 1;
        for (; end < chunk.length; end++) {
          const d = chunk.charCodeAt(end);
          if (!((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d)) break;
        }
        if (end >= chunk.length) break; // the number may go on in the next chunk
        const value = jsonNumber(chunk.slice(i, end));
        if (value !== value) break; // not a JSON number: the general path reports it
        if (top.count === top.numbers!.length) {
          const grown = new Float64Array(Math.max(16, top.count * 2));
          grown.set(top.numbers!);
          top.numbers = grown;
        }
        top.numbers![top.count++] = value;
        top.filled = true;
        this.want = Want.CommaOrEnd;
        i = end;
      } else {
        break;
      }
    }
    this.column = i - lineStart + 1;
    return i;
  }

  /** The parsed value; throws if the text ended early. */
  end(): unknown {
    if (this.partialKind === "number" || this.partialKind === "literal") this.finishToken();
    if (this.want !== Want.Done || this.partialKind !== "") throw new JsonSyntaxError(`unexpected end of the file at line ${this.line}, column ${this.column}`);
    return this.result;
  }

  /** Reads a token's characters from `from`; returns where it ended (or chunk.length, to continue). */
  private continueToken(chunk: string, from: number, opening = false): number {
    if (opening) this.column++;
    let i = from;
    if (this.partialKind === "string") {
      // Up to the closing quote that is not escaped; escapes are decoded by JSON.parse at the end.
      for (; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (c === 0x22 && !this.escaped(chunk, i)) break;
        if (c < 0x20) {
          this.column += i - from;
          this.fail(c);
        }
      }
    } else {
      for (; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        // Number characters (digits . e E + -) and letters of true / false / null.
        if (!((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || (c >= 0x61 && c <= 0x7a) || c === 0x45)) break;
      }
    }
    this.partial += chunk.slice(from, i);
    this.column += i - from;
    if (this.partial.length > MAX_TOKEN_CHARS) throw new JsonSyntaxError(`a ${this.partialKind} longer than ${MAX_TOKEN_CHARS} characters at line ${this.line}`);
    if (i >= chunk.length) return chunk.length;
    if (this.partialKind === "string") {
      i++; // the closing quote
      this.column++;
    }
    this.finishToken();
    return i;
  }

  /** Whether the quote at `i` is escaped (an odd run of backslashes before it, across chunks). */
  private escaped(chunk: string, i: number): boolean {
    let n = 0;
    for (let j = i - 1; j >= 0 && chunk.charCodeAt(j) === 0x5c; j--) n++;
    if (n === i) for (let j = this.partial.length - 1; j >= 0 && this.partial.charCodeAt(j) === 0x5c; j--) n++;
    return n % 2 === 1;
  }

  private finishToken(): void {
    const text = this.partial;
    const kind = this.partialKind;
    this.partial = "";
    this.partialKind = "";
    let value: unknown;
    if (kind === "string") {
      try {
        value = JSON.parse(`"${text}"`);
      } catch {
        throw new JsonSyntaxError(`a string with a bad escape or control character at line ${this.line}`);
      }
      if (this.want === Want.Key) {
        this.stack[this.stack.length - 1]!.key = value as string;
        this.want = Want.Colon;
        return;
      }
    } else if (kind === "number") {
      if (!NUMBER.test(text)) throw new JsonSyntaxError(`'${escapeUnsafe(text.slice(0, 40))}' is not a JSON number (line ${this.line})`);
      value = Number(text);
    } else {
      if (text !== "true" && text !== "false" && text !== "null") throw new JsonSyntaxError(`unexpected '${escapeUnsafe(text.slice(0, 40))}' at line ${this.line}`);
      value = text === "null" ? null : text === "true";
    }
    this.add(value);
  }

  private open(isObject: boolean): void {
    if (this.stack.length >= MAX_JSON_DEPTH) throw new JsonSyntaxError(`nested more than ${MAX_JSON_DEPTH} levels deep at line ${this.line}`);
    const capacity = isObject ? null : this.hint(this.stack.map((f) => f.key));
    this.stack.push({
      value: capacity === null ? (isObject ? {} : []) : null,
      isObject,
      key: isObject ? "" : 0,
      numbers: capacity === null ? null : new Float64Array(capacity),
      count: 0,
      filled: false,
    });
    this.want = isObject ? Want.Key : Want.Value;
  }

  private close(): void {
    const frame = this.stack.pop()!;
    this.add(frame.numbers ? frame.numbers.subarray(0, frame.count) : frame.value);
  }

  /** A complete value: the result, or the next member or element of the open container. */
  private add(value: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.result = value;
      this.want = Want.Done;
      return;
    }
    top.filled = true;
    this.want = Want.CommaOrEnd;
    if (top.isObject) {
      // As JSON.parse: "__proto__" is an own key like any other.
      Object.defineProperty(top.value, top.key as string, { value, enumerable: true, writable: true, configurable: true });
      return;
    }
    if (top.numbers) {
      if (typeof value === "number") {
        if (top.count === top.numbers.length) {
          const grown = new Float64Array(Math.max(16, top.count * 2));
          grown.set(top.numbers);
          top.numbers = grown;
        }
        top.numbers[top.count++] = value;
        return;
      }
      // Not all numbers after all: an ordinary array, so the checks see what is there.
      top.value = Array.from(top.numbers.subarray(0, top.count));
      top.key = top.count;
      top.numbers = null;
    }
    (top.value as unknown[]).push(value);
    top.key = (top.key as number) + 1;
  }

  private fail(c: number): never {
    const shownChar = c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
    throw new JsonSyntaxError(`unexpected character ${shownChar} at line ${this.line}, column ${this.column}`);
  }
}
