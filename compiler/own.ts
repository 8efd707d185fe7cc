// A table's own entry for a name from outside (a model file, a command line, an imported model):
// plain objects also answer `constructor`, `toString`, `__proto__` … from their prototype, which
// a table lookup must not mistake for an entry.
//
//   own(COMMANDS, "toString")  // undefined, not Object.prototype.toString

export function own<T>(table: { readonly [key: string]: T }, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
