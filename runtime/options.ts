// Checks of the options objects the generated module's functions take (fit, evaluate,
// createTrainer): every key must be known and every value of the right kind, so a misspelt key
// or a NaN batch size is an error naming the function instead of silently wrong numbers.
//
//   checkOptions("evaluate", { batchSize: 1.5 }, { batchSize: positiveInteger });
//   // Error: evaluate: batchSize must be a positive integer, got 1.5

/** What an option's value must be, as a phrase ("a positive integer"), or "" when `value` is fine. */
export type OptionRule = (value: unknown) => string;

// Rules are function declarations, not constants: they are hoisted, so tables of rules in other
// runtime files work whatever order the bundler puts the files in.
export function positiveInteger(v: unknown): string {
  return Number.isSafeInteger(v) && (v as number) >= 1 ? "" : "a positive integer";
}
export function nonNegativeInteger(v: unknown): string {
  return Number.isSafeInteger(v) && (v as number) >= 0 ? "" : "a non-negative integer";
}
export function safeInteger(v: unknown): string {
  return Number.isSafeInteger(v) ? "" : "a safe integer";
}
export function trueOrFalse(v: unknown): string {
  return typeof v === "boolean" ? "" : "true or false";
}
export function aFunction(v: unknown): string {
  return typeof v === "function" ? "" : "a function";
}
export function anOptimizer(v: unknown): string {
  const isOptimizer = v !== null && typeof v === "object" && typeof (v as { step?: unknown }).step === "function";
  return isOptimizer ? "" : "an optimizer (from createOptimizer)";
}

/** A value as shown in an option error: strings quoted, so "8" and 8 differ. */
export function shownOption(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") return "an object";
  return String(value);
}

/** Throws unless `opts` is undefined or an object whose keys are in `rules` and whose values pass them. */
export function checkOptions(what: string, opts: unknown, rules: { [key: string]: OptionRule }): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new Error(`${what}: options must be an object, got ${shownOption(opts)}`);
  }
  const known = Object.keys(rules);
  for (const key of Object.keys(opts)) {
    if (!Object.prototype.hasOwnProperty.call(rules, key)) {
      throw new Error(`${what}: unknown option '${key}' (known: ${known.join(", ")})`);
    }
    const value = (opts as { [key: string]: unknown })[key];
    if (value === undefined) continue;
    const expected = rules[key]!(value);
    if (expected !== "") throw new Error(`${what}: ${key} must be ${expected}, got ${shownOption(value)}`);
  }
}
