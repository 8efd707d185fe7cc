// nnc names for the names a foreign file gives its layers, nodes and values. A name the model
// file can take is kept (so an nnc -> tfjs -> nnc round trip gives its names back); one it
// cannot (a keyword, a built-in function such as `dense` or `relu`, characters outside
// [A-Za-z0-9_]) is mended, and a clash gets a number:
//
//   names.claim("dense_1")  -> "dense_1"      names.claim("/fc1/Gemm_output_0") -> "fc1_Gemm_output_0"
//   names.claim("dense")    -> "dense_0"      names.claim("input")              -> "input_0"
//
// Names are claimed in file order; the raw names that are already fine are reserved first
// (reserveAll), so a mended name never takes one a later layer has.

import { FUNCTIONS } from "../elaborate/functions.js";
import { INITIALIZERS } from "../../runtime/init.js";
import { KEYWORDS } from "../syntax-context.js";

const RESERVED = new Set<string>([...KEYWORDS, ...FUNCTIONS.keys(), ...INITIALIZERS]);
const VALID = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether the model file can use `name` as a value name as it is. */
export function usableName(name: string): boolean {
  return VALID.test(name) && !RESERVED.has(name);
}

export class NameTable {
  private readonly taken = new Set<string>();
  private readonly reserved = new Set<string>();

  /** Keeps the usable ones among `raw` for their owners (claim returns them unchanged). */
  reserveAll(raw: Iterable<string>): void {
    for (const r of raw) if (usableName(r)) this.reserved.add(r);
  }

  /** Marks a name as used by something else (a parameter a layer declares, the target). */
  block(name: string): void {
    this.taken.add(name);
  }

  isFree(name: string): boolean {
    return usableName(name) && !this.taken.has(name);
  }

  /** The nnc name for `raw`, unique among the names claimed so far. */
  claim(raw: string, fallback = "v"): string {
    if (usableName(raw) && !this.taken.has(raw)) {
      this.taken.add(raw);
      return raw;
    }
    let base = raw.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
    if (base === "") base = fallback;
    if (/^[0-9]/.test(base)) base = `${fallback}_${base}`;
    const free = (n: string) => usableName(n) && !this.taken.has(n) && !this.reserved.has(n);
    // A reserved word reads best with Keras' own numbering: `dense` is the layer before `dense_1`.
    let name = free(base) ? base : `${base}_0`;
    for (let k = 1; !free(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }
}
