// Command-line options of one subcommand: util.parseArgs with its errors turned into usage
// errors (exit code 2) that suggest the closest option, plus the checks every command shares.
//
//   const { values, positionals } = parseOptions(args, { epochs: { type: "string" } });
//   nnc train m.nn --epoch 5   ->  nnc: error: Unknown option '--epoch'; did you mean '--epochs'? See 'nnc help train'.

import { type ParseArgsConfig, parseArgs } from "node:util";
import { closest } from "../suggest.js";
import { UsageError } from "./io.js";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** util.parseArgs, strict, with positionals; its errors become UsageErrors. */
export function parseOptions<T extends OptionSpec>(args: string[], options: T) {
  try {
    // --help is answered by main() before a command runs; here it is one more spelling to suggest.
    return parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    const unknown = /^Unknown option '(-{1,2})([^']*)'/.exec(message);
    if (unknown) {
      const spellings = Object.entries({ ...options, help: { short: "h" } }).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
      const hint = closest(`${unknown[1]}${unknown[2]}`, spellings);
      if (hint) throw new UsageError(`${message}; did you mean '${hint}'?`);
    }
    throw new UsageError(message);
  }
}

/** The one model file a command takes. */
export function oneModelFile(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`expected one model file, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`);
  return positionals[0]!;
}

/** `value` if it is one of `allowed` (undefined stays undefined). */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, got '${value}'`);
  return value as T;
}
