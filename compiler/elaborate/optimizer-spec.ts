// The `optimizer` statement: Keras names and option spellings, checked against the
// runtime's own table (runtime/optimizers.ts is the single source of truth for defaults).
//
//   optimizer adam(lr = 0.01, clipnorm = 1)
//   -> { name: "adam", options: { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipnorm: 1 } }

import type { CallExpr } from "../ast.js";
import { CLIP_OPTIONS, OPTIMIZERS, OPTION_KERAS_NAMES } from "../../runtime/optimizers.js";
import { type Fail, bindArgs } from "./args.js";
import type { OptimizerSpec } from "./model.js";
import { closest } from "../suggest.js";
import { own } from "../own.js";

type Defaults = Record<string, number | boolean>;

/** DSL spelling (snake_case, as in Keras) of a runtime option name. */
function kerasName(option: string): string {
  return (OPTION_KERAS_NAMES as Record<string, string>)[option] ?? option;
}

/** Short spellings people write from older Keras and papers. */
const ALIASES: Record<string, string> = { lr: "learning_rate", beta1: "beta_1", beta2: "beta_2" };

/**
 * Options whose value must be strictly positive; the rest must be ≥ 0, the decay rates below 1.
 * As in Keras 3, TensorFlow.js and the runtime's createOptimizer, epsilon may be 0 and momentum
 * 1; only the learning rate is stricter than the runtime's (which allows 0, for schedules).
 */
const POSITIVE = new Set(["learningRate", "clipnorm", "clipvalue", "globalClipnorm"]);
const BELOW_ONE = new Set(["beta1", "beta2", "rho"]);
const AT_MOST_ONE = new Set(["momentum"]);

export function optimizerSpec(call: CallExpr, fail: Fail): OptimizerSpec {
  const table = OPTIMIZERS as Record<string, { options: Defaults }>;
  const entry = own(table, call.callee);
  if (!entry) {
    const hint = closest(call.callee, Object.keys(table));
    fail(call.calleeLoc, `unknown optimizer '${call.callee}'${hint ? `; did you mean '${hint}'?` : ""} (known: ${Object.keys(table).join(", ")})`);
  }
  const runtimeNames = [...Object.keys(entry.options), ...CLIP_OPTIONS];
  const params = runtimeNames.map((name) => ({ name: kerasName(name), default: (entry.options as Defaults)[name] ?? 0 }));
  // Positional arguments follow Keras' order: learning_rate first.
  const normalized: CallExpr = {
    ...call,
    named: call.named.map((n) => ({ ...n, name: own(ALIASES, n.name) ?? n.name })),
  };
  const args = bindArgs(normalized, { name: call.callee, params }, fail);
  // Keras 3 accepts at most one clipping option; say so here rather than when training starts.
  const clips = normalized.named.filter((n) => (CLIP_OPTIONS as readonly string[]).some((c) => kerasName(c) === n.name));
  if (clips.length > 1) fail(clips[1]!.nameLoc, `only one of clipnorm, clipvalue and global_clipnorm can be set; '${clips[0]!.name}' is already set`);
  const options: Record<string, number | boolean> = {};
  for (const name of runtimeNames) {
    const dsl = kerasName(name);
    const isClip = (CLIP_OPTIONS as readonly string[]).includes(name);
    if (isClip && !args.has(dsl)) continue;
    const fallback = (entry.options as Defaults)[name];
    if (typeof fallback === "boolean") {
      options[name] = args.bool(dsl);
    } else {
      options[name] = args.number(dsl, {
        min: 0,
        minExclusive: POSITIVE.has(name),
        ...(BELOW_ONE.has(name) ? { max: 1, maxExclusive: true } : AT_MOST_ONE.has(name) ? { max: 1 } : {}),
      });
    }
  }
  const written = `${call.callee}(${[...call.args.map((_, i) => params[i]!.name), ...normalized.named.map((n) => n.name)]
    .map((n) => `${n} = ${String(options[runtimeNames.find((r) => kerasName(r) === n)!])}`)
    .join(", ")})`;
  return { name: call.callee, options, written };
}
