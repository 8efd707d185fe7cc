// Identifiers in lowered code, one namespace per module: buffers (module-level, named after
// their tensors: `z_h`), the element locals of unrolled code (`h_0`, `h_1` for the base `h`),
// and fresh temporaries (`i1`, `max2`). No two things get one name, and none shadows another
// or a name the module already uses (runtime helpers, kernel parameters, JavaScript's own).
//
//   const names = new Namer(["p", "x", "fit"]);
//   names.take("fit")  // "fit2";  names.base("h") // "h" (h_0, h_1 … reserved);  names.take("h_1") // "h_1_2"

/** Words that can never be identifiers, and globals generated code relies on. */
const JAVASCRIPT = [
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
  "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
  "let", "static", "implements", "interface", "package", "private", "protected", "public", "await", "async",
  "arguments", "eval", "undefined", "NaN", "Infinity", "Math", "Number", "Object", "Array", "Error", "JSON",
  "Float64Array", "Float32Array", "Uint8Array", "Int32Array", "Symbol", "globalThis", "console", "String", "Boolean",
];

export class Namer {
  private readonly taken = new Set<string>();
  /** Bases of element locals: `h` reserves every `h_<digits>`. */
  private readonly bases = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of [...JAVASCRIPT, ...reserved]) this.taken.add(name);
  }

  /** Reserves `name` and every `name_<digits>` (a family of generated names, such as gradRows_1, gradRows_2). */
  reserveFamily(name: string): void {
    this.taken.add(name);
    this.bases.add(name);
  }

  /** A copy whose names start where this one's are (for names local to one function). */
  fork(): Namer {
    const copy = new Namer();
    for (const t of this.taken) copy.taken.add(t);
    for (const b of this.bases) copy.bases.add(b);
    return copy;
  }

  private free(name: string): boolean {
    if (this.taken.has(name)) return false;
    const m = /^(.+)_\d+$/.exec(name);
    if (m && this.bases.has(m[1]!)) return false;
    return true;
  }

  /** `hint`, or `hint2`, `hint3` … the first that is free; taken from now on. */
  take(hint: string): string {
    let name = hint;
    for (let n = 2; !this.free(name); n++) name = `${hint}${n}`;
    this.taken.add(name);
    return name;
  }

  /** `hint` followed by the first counter value that makes a free name (`i1`, `i2`, …). */
  fresh(hint: string): string {
    for (let n = 1; ; n++) {
      const name = `${hint}${n}`;
      if (this.free(name)) {
        this.taken.add(name);
        return name;
      }
    }
  }

  /** A base for element locals `base_0`, `base_1`, …: free of every taken name of that form. */
  base(hint: string): string {
    for (let n = 1; ; n++) {
      const name = n === 1 ? hint : `${hint}${n}`;
      const prefix = `${name}_`;
      const clash = [...this.taken].some((t) => t.startsWith(prefix) && /^\d+$/.test(t.slice(prefix.length)));
      if (this.free(name) && !this.bases.has(name) && !clash) {
        this.bases.add(name);
        this.taken.add(name);
        return name;
      }
    }
  }
}
