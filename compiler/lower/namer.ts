// Identifiers in lowered code. The module's namer holds the top-level names (buffers named
// after their tensors, `z_h`; the module's own declarations; JavaScript's words); each function
// forks a scope of its own for its locals: the element locals of unrolled code (`h_0`, `h_1` for
// the base `h`) and fresh temporaries (`i1`, `max2`). A name is free in a scope when neither the
// scope nor its enclosing ones hold it and no scope inside it does either; so locals never
// shadow a buffer, two functions may both use `h_0`, and no buffer hides a function's local.
//
//   const module = new Namer(["p", "x", "fit"]);  const f = module.fork();
//   module.take("fit")  // "fit2";   f.base("h")  // "h" (h_0, h_1 … are f's);   module.take("h_1")  // "h_1v2"

/** Words that can never be identifiers, and globals generated code relies on. */
const JAVASCRIPT = [
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null",
  "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield",
  "let", "static", "implements", "interface", "package", "private", "protected", "public", "await", "async",
  "arguments", "eval", "undefined", "NaN", "Infinity", "Math", "Number", "Object", "Array", "Error", "JSON",
  "Float64Array", "Float32Array", "Uint8Array", "Int32Array", "Symbol", "globalThis", "console", "String", "Boolean",
];

const FAMILY = /^(.+)_\d+$/;

/** The longest hint: a longer one (a model's long name) keeps its start and end (`z_a_very_long_la__ayer_name`). */
export const MAX_HINT = 32;

/** `hint` within MAX_HINT characters: its first 20 and last 10 joined by `__` (names that shorten alike are numbered). */
function bounded(hint: string): string {
  return hint.length <= MAX_HINT ? hint : `${hint.slice(0, 20)}__${hint.slice(-10)}`;
}

/**
 * The n-th numbered variant of `hint`: `hint2`, or `hintv2` when digits right after `hint` would
 * make an element local (`h_0` + `2` is `h_02`, of h's family, and so would every other number).
 */
function numbered(hint: string, n: number): string {
  return `${hint}${/_\d*$/.test(hint) ? "v" : ""}${n}`;
}

export class Namer {
  private readonly taken = new Set<string>();
  /** Bases of element locals: `h` stands for every `h_<digits>`. */
  private readonly bases = new Set<string>();
  private readonly scopes: Namer[] = [];

  constructor(
    reserved: Iterable<string> = [],
    private readonly parent?: Namer,
  ) {
    if (!parent) for (const name of JAVASCRIPT) this.taken.add(name);
    for (const name of reserved) this.taken.add(name);
  }

  /** A scope for one function's locals. */
  fork(): Namer {
    const scope = new Namer([], this);
    this.scopes.push(scope);
    return scope;
  }

  /** A scope that sees this one's names but that nothing else sees (for code made only to be measured). */
  sandbox(): Namer {
    return new Namer([], this);
  }

  private holds(name: string): boolean {
    return this.taken.has(name) || this.inFamily(name);
  }

  /** Whether `name` is an element local `base_<digits>` of a base held here. */
  private inFamily(name: string): boolean {
    const m = FAMILY.exec(name);
    return m !== null && this.bases.has(m[1]!);
  }

  /** Whether a base's family `base_<digits>` meets a name held here. */
  private familyMeets(base: string): boolean {
    if (this.bases.has(base)) return true;
    for (const t of this.taken) if (t.startsWith(`${base}_`) && /^\d+$/.test(t.slice(base.length + 1))) return true;
    return false;
  }

  private enclosing(): Namer[] {
    const out: Namer[] = [];
    for (let s: Namer | undefined = this; s; s = s.parent) out.push(s);
    return out;
  }

  private inner(): Namer[] {
    const out: Namer[] = [];
    const stack = [...this.scopes];
    while (stack.length > 0) {
      const s = stack.pop()!;
      out.push(s);
      stack.push(...s.scopes);
    }
    return out;
  }

  private free(name: string): boolean {
    return ![...this.enclosing(), ...this.inner()].some((s) => s.holds(name));
  }

  /** `hint`, or `hint2`, `hint3` … the first that is free; taken from now on. */
  take(long: string): string {
    const hint = bounded(long);
    let name = hint;
    for (let n = 2; !this.free(name); n++) name = numbered(hint, n);
    this.taken.add(name);
    return name;
  }

  /** `hint` followed by the first counter value that makes a free name (`i1`, `i2`, …). */
  fresh(long: string): string {
    const hint = bounded(long);
    for (let n = 1; ; n++) {
      const name = numbered(hint, n);
      if (this.free(name)) {
        this.taken.add(name);
        return name;
      }
    }
  }

  /** A base for element locals `base_0`, `base_1`, … whose family meets no name in sight. */
  base(long: string): string {
    const hint = bounded(long);
    const scopes = [...this.enclosing(), ...this.inner()];
    for (let n = 1; ; n++) {
      const name = n === 1 ? hint : numbered(hint, n);
      // Neither may its family meet a name in sight, nor may it be an element of another family.
      if (!scopes.some((s) => s.familyMeets(name) || s.inFamily(name))) {
        this.bases.add(name);
        return name;
      }
    }
  }

  /** Reserves `name` and every `name_<digits>` (a family of generated names, such as gradRows_1, gradRows_2). */
  reserveFamily(name: string): void {
    this.taken.add(name);
    this.bases.add(name);
  }
}
