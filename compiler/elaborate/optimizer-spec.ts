// The `optimizer` statement: Keras names and option spellings, checked against the
// runtime's own table (runtime/optimizers.ts is the single source of truth for defaults), and
// a learning-rate schedule in the learning rate's place (Keras' ExponentialDecay, CosineDecay,
// PiecewiseConstantDecay under the snake_case names of runtime/schedules.ts).
//
//   optimizer adam(lr = 0.01, clipnorm = 1)
//   -> { name: "adam", options: { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, clipnorm: 1 } }
//   optimizer sgd(learning_rate = exponential_decay(0.1, decay_steps = 100, decay_rate = 0.5))
//   -> { name: "sgd", options: { learningRate: 0.1, … }, schedule: { schedule: "exponential_decay", … } }

import type { CallExpr, Expr } from "../ast.js";
import { CLIP_OPTIONS, OPTIMIZERS, OPTION_KERAS_NAMES } from "../../runtime/optimizer-options.js";
import { SCHEDULE_FIELDS, type LearningRateSchedule, scheduledRate } from "../../runtime/schedules.js";
import { type Fail, bindArgs, constantValue } from "./args.js";
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
  const rate = args.expr("learning_rate");
  const schedule = rate?.kind === "call" ? scheduleSpec(rate, fail) : undefined;
  // Keras 3 accepts at most one clipping option; say so here rather than when training starts.
  const clips = normalized.named.filter((n) => (CLIP_OPTIONS as readonly string[]).some((c) => kerasName(c) === n.name));
  if (clips.length > 1) fail(clips[1]!.nameLoc, `only one of clipnorm, clipvalue and global_clipnorm can be set; '${clips[0]!.name}' is already set`);
  const options: Record<string, number | boolean> = {};
  for (const name of runtimeNames) {
    const dsl = kerasName(name);
    const isClip = (CLIP_OPTIONS as readonly string[]).includes(name);
    if (isClip && !args.has(dsl)) continue;
    if (name === "learningRate" && schedule) {
      options[name] = scheduledRate(schedule, 0);
      continue;
    }
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
  const shown = (n: string) => (n === "learning_rate" && schedule ? scheduleText(schedule) : String(options[runtimeNames.find((r) => kerasName(r) === n)!]));
  const written = `${call.callee}(${[...call.args.map((_, i) => params[i]!.name), ...normalized.named.map((n) => n.name)]
    .map((n) => `${n} = ${shown(n)}`)
    .join(", ")})`;
  return { name: call.callee, options, written, ...(schedule ? { schedule } : {}) };
}

/** The model file's spelling of a schedule field (initialLearningRate: initial_learning_rate). */
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A schedule as the header comment shows it, every field written out. */
function scheduleText(s: LearningRateSchedule): string {
  const fields = Object.entries(s).filter(([k]) => k !== "schedule");
  return `${s.schedule}(${fields.map(([k, v]) => `${snake(k)} = ${Array.isArray(v) ? `[${v.join(", ")}]` : String(v)}`).join(", ")})`;
}

/** A list argument of numbers, each checked by `ok` (which says what it must be when it is not). */
function numberList(e: Expr | undefined, fallbackLoc: CallExpr["loc"], what: string, fail: Fail): number[] {
  if (!e || e.kind !== "list") return fail(e?.loc ?? fallbackLoc, what);
  return e.items.map((item) => {
    const v = constantValue(item);
    if (v === undefined || !Number.isFinite(v)) fail(item.loc, what);
    return v;
  });
}

/** `exponential_decay(…)`, `cosine_decay(…)` or `piecewise_constant(…)` as the learning rate, with Keras' arguments. */
function scheduleSpec(call: CallExpr, fail: Fail): LearningRateSchedule {
  const known = Object.keys(SCHEDULE_FIELDS);
  if (!known.includes(call.callee)) {
    const hint = closest(call.callee, known);
    fail(call.calleeLoc, `unknown learning-rate schedule '${call.callee}'${hint ? `; did you mean '${hint}'?` : ""} (known: ${known.join(", ")}); or write a number`);
  }
  const positive = { min: 0, minExclusive: true };
  if (call.callee === "piecewise_constant") {
    const a = bindArgs(call, { name: call.callee, params: [{ name: "boundaries" }, { name: "values" }] }, fail);
    const boundaries = numberList(a.expr("boundaries"), call.loc, `'boundaries' of piecewise_constant() must be a list of step counts, such as [1000, 2000]`, fail);
    boundaries.forEach((b, i) => {
      const loc = (a.expr("boundaries") as Expr & { kind: "list" }).items[i]!.loc;
      if (!Number.isInteger(b) || b < 0) fail(loc, `the boundaries of piecewise_constant() are step counts: integers ≥ 0, got ${b}`);
      if (i > 0 && b <= boundaries[i - 1]!) fail(loc, `the boundaries of piecewise_constant() must increase, got ${boundaries[i - 1]} then ${b}`);
    });
    const valuesExpr = a.expr("values");
    const values = numberList(valuesExpr, call.loc, `'values' of piecewise_constant() must be a list of learning rates, such as [0.1, 0.01, 0.001]`, fail);
    if (values.length !== boundaries.length + 1) {
      fail(valuesExpr!.loc, `piecewise_constant() needs one more value than boundaries: ${boundaries.length} boundaries, so ${boundaries.length + 1} values, got ${values.length}`);
    }
    values.forEach((v, i) => v > 0 || fail((valuesExpr as Expr & { kind: "list" }).items[i]!.loc, `the values of piecewise_constant() are learning rates: they must be > 0, got ${v}`));
    return { schedule: "piecewise_constant", boundaries, values };
  }
  if (call.callee === "exponential_decay") {
    const names = ["initial_learning_rate", "decay_steps", "decay_rate"];
    const a = bindArgs(call, { name: call.callee, params: [...names.map((name) => ({ name })), { name: "staircase", default: false }] }, fail);
    const [initialLearningRate, decaySteps, decayRate] = names.map((n) => a.number(n, positive)) as [number, number, number];
    return { schedule: "exponential_decay", initialLearningRate, decaySteps, decayRate, staircase: a.bool("staircase") };
  }
  const params = [{ name: "initial_learning_rate" }, { name: "decay_steps" }, { name: "alpha", default: 0 }, { name: "warmup_target", default: 0 }, { name: "warmup_steps", default: 0 }];
  const a = bindArgs(call, { name: call.callee, params }, fail);
  return {
    schedule: "cosine_decay",
    // A warm-up may start from 0 (its rate rises to warmup_target); a plain decay may not.
    initialLearningRate: a.number("initial_learning_rate", a.has("warmup_target") ? { min: 0 } : positive),
    decaySteps: a.number("decay_steps", positive),
    alpha: a.number("alpha", { min: 0, max: 1 }),
    ...(a.has("warmup_target") ? { warmupTarget: a.number("warmup_target", positive) } : {}),
    warmupSteps: a.number("warmup_steps", { min: 0, integer: true }),
  };
}
