// How a cell of text becomes a number, the same way for CSV cells and JSON Lines strings:
// decimal notation only, as JSON and Keras' CSV readers write numbers — an optional sign,
// digits with an optional fraction, an optional exponent (`1`, `-2.5`, `.5`, `+3`, `1e-3`),
// with spaces around it ignored. JavaScript's Number() would also take hexadecimal, octal and
// binary (`0x10` → 16, `0o7`, `0b1`): such a cell in a data file is almost surely a mistake
// (an id, a hash), so it is refused, as are Infinity and NaN.
//
//   parseDecimal(" 2.5 ");   // 2.5
//   parseDecimal("0x10");    // NaN
//   whyNotDecimal("0x10");   // "'0x10' is not a decimal number (hexadecimal, octal and binary numbers are not read)"

import { shown } from "./errors.js";

/** The finite number written in decimal in `text`, else NaN (then see whyNotDecimal). */
export function parseDecimal(text: string): number {
  const t = text.trim();
  if (t === "") return NaN;
  const value = Number(t);
  if (!Number.isFinite(value)) return NaN;
  // Besides decimal literals, Number() reads only the prefixed forms 0x, 0o, 0b (unsigned).
  const second = t.length > 1 && t.charCodeAt(0) === 48 ? t.charCodeAt(1) | 0x20 : 0;
  return second === 0x78 || second === 0x6f || second === 0x62 ? NaN : value;
}

/** Why parseDecimal(text) is NaN, as the end of a message ("d.csv:4: row 3, column 2 ('x1'): …"). */
export function whyNotDecimal(text: string): string {
  const t = text.trim();
  if (t === "") return "empty value; expected a number";
  const value = Number(t);
  if (Number.isNaN(value)) return `${shown(t)} is not a number`;
  if (!Number.isFinite(value)) return `${shown(t)} is not a finite number`;
  return `${shown(t)} is not a decimal number (hexadecimal, octal and binary numbers are not read)`;
}
