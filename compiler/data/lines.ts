// Text chunks → numbered lines, for the streaming CSV and JSON Lines readers. Line ends may be
// LF, CRLF or a lone CR (also split across chunks); lines are numbered from 1. A NUL character
// means the file is not text (a binary file, /dev/zero) and a line beyond MAX_LINE_CHARS means
// no line ends are coming: both are refused at once instead of filling memory.
//
//   const lines = new LineSplitter("d.csv", (text, line) => console.log(line, text));
//   lines.push("a,b\r\n1,");  lines.push("2\n");  lines.end();   // 1 "a,b", 2 "1,2"

import { DataError } from "./errors.js";

/** The longest line read (128 Mi characters: a row of ten million numbers fits). */
export const MAX_LINE_CHARS = 1 << 27;

/** Called for each line; returning false stops the reading. */
export type LineVisitor = (text: string, line: number) => boolean | void;

export class LineSplitter {
  /** Pieces of a line that has not ended yet. */
  private pending: string[] = [];
  private pendingChars = 0;
  /** A chunk ended with CR: the next one may start with its LF. */
  private heldCR = false;
  /** The number of the next line. */
  private line = 1;
  stopped = false;

  constructor(
    private readonly file: string,
    private readonly onLine: LineVisitor,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  /** Feeds text; returns false once a visitor has asked to stop. */
  push(chunk: string): boolean {
    if (this.stopped) return false;
    if (this.heldCR) chunk = `\r${chunk}`;
    this.heldCR = chunk.endsWith("\r");
    if (this.heldCR) chunk = chunk.slice(0, -1);
    if (chunk.includes("\r")) chunk = chunk.replace(/\r\n?/g, "\n");
    const nul = chunk.indexOf("\0");
    if (nul >= 0) {
      const line = this.line + (chunk.slice(0, nul).match(/\n/g)?.length ?? 0);
      throw new DataError(`${this.file}:${line}: a NUL character (byte 0): this is not a text file`);
    }
    let pos = 0;
    for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", pos)) {
      let text = chunk.slice(pos, nl);
      if (this.pending.length > 0) {
        this.pending.push(text);
        text = this.pending.join("");
        this.pending = [];
        this.pendingChars = 0;
      }
      pos = nl + 1;
      if (this.onLine(text, this.line++) === false) {
        this.stopped = true;
        return false;
      }
    }
    if (pos < chunk.length) this.keep(chunk.slice(pos));
    return true;
  }

  /** Delivers a last line that has no line end. */
  end(): void {
    if (this.stopped) return;
    if (this.heldCR || this.pending.length > 0) {
      const text = this.pending.join("");
      this.pending = [];
      if (this.onLine(text, this.line++) === false) this.stopped = true;
    }
  }

  private keep(piece: string): void {
    this.pendingChars += piece.length;
    if (this.pendingChars > this.maxLineChars) {
      throw new DataError(`${this.file}:${this.line}: line ${this.line} is longer than ${this.maxLineChars} characters; is this the right file?`);
    }
    this.pending.push(piece);
  }
}
