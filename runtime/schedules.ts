// Learning-rate schedules with Keras 3's names, arguments and formulas, as plain data (so a
// model file's schedule prints as a literal in the generated module and saves as JSON). An
// optimizer given one as its learningRate uses `scheduledRate(schedule, iterations)` for each
// step, iterations being the steps taken before it (0 for the first), as Keras calls
// `learning_rate(optimizer.iterations)`.
//
//   const schedule = { schedule: "exponential_decay", initialLearningRate: 0.01, decaySteps: 1000,
//                      decayRate: 0.9, staircase: false } as const;
//   scheduledRate(schedule, 500);   // 0.01 · 0.9^0.5
//   createSgd(n, { learningRate: schedule });

/** Keras' ExponentialDecay: initial · decayRate^(step / decaySteps) (the exponent floored when staircase). */
export interface ExponentialDecay {
  schedule: "exponential_decay";
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase: boolean;
}

/**
 * Keras' CosineDecay: initial · ((1 − alpha) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha);
 * with warmupTarget, first a linear warm-up from initial to warmupTarget over warmupSteps, then
 * the cosine decay from warmupTarget.
 */
export interface CosineDecay {
  schedule: "cosine_decay";
  initialLearningRate: number;
  decaySteps: number;
  alpha: number;
  warmupTarget?: number;
  warmupSteps: number;
}

/**
 * Keras' PiecewiseConstantDecay: values[0] while step ≤ boundaries[0], values[i] while
 * step ≤ boundaries[i], then the last value.
 */
export interface PiecewiseConstant {
  schedule: "piecewise_constant";
  boundaries: number[];
  values: number[];
}

export type LearningRateSchedule = ExponentialDecay | CosineDecay | PiecewiseConstant;

/** Keras' names of the schedules (the model file's spelling) and their fields. */
export const SCHEDULE_FIELDS = {
  exponential_decay: ["initialLearningRate", "decaySteps", "decayRate", "staircase"],
  cosine_decay: ["initialLearningRate", "decaySteps", "alpha", "warmupTarget", "warmupSteps"],
  piecewise_constant: ["boundaries", "values"],
} as const;

/** The learning rate of the step after `step` steps (0 for the first update). */
export function scheduledRate(s: LearningRateSchedule, step: number): number {
  switch (s.schedule) {
    case "exponential_decay": {
      const p = step / s.decaySteps;
      return s.initialLearningRate * Math.pow(s.decayRate, s.staircase ? Math.floor(p) : p);
    }
    case "cosine_decay": {
      const cosine = (at: number, from: number) => {
        const decayed = (1 - s.alpha) * 0.5 * (1 + Math.cos((Math.PI * at) / s.decaySteps)) + s.alpha;
        return from * decayed;
      };
      if (s.warmupTarget === undefined) return cosine(Math.min(step, s.decaySteps), s.initialLearningRate);
      const at = Math.min(step, s.decaySteps + s.warmupSteps);
      const from = s.initialLearningRate;
      if (at < s.warmupSteps) return from + ((s.warmupTarget - from) * at) / s.warmupSteps;
      return cosine(at - s.warmupSteps, s.warmupTarget);
    }
    case "piecewise_constant": {
      const b = s.boundaries;
      for (let i = 0; i < b.length; i++) if (step <= b[i]!) return s.values[i]!;
      return s.values[b.length]!;
    }
  }
}

/** A field's value as an error shows it: arrays and strings as JSON. */
function shownField(v: unknown): string {
  return typeof v === "string" || Array.isArray(v) ? JSON.stringify(v) : String(v);
}

/** Whether `v` is a finite number ≥ min (> min when `open`). */
function numberFrom(v: unknown, min: number, open = false): boolean {
  return typeof v === "number" && Number.isFinite(v) && (open ? v > min : v >= min);
}

/**
 * Throws unless `s` is a schedule of a known kind with every field in range (what `what` names
 * the optimizer, "sgd learningRate"). The model file checks the same ranges with located errors.
 */
export function checkSchedule(s: unknown, what: string): asserts s is LearningRateSchedule {
  const kinds = Object.keys(SCHEDULE_FIELDS);
  const kind = s !== null && typeof s === "object" ? (s as { schedule?: unknown }).schedule : undefined;
  if (typeof kind !== "string" || !kinds.includes(kind)) {
    const names = kinds.map((k) => `"${k}"`).join(" | ");
    throw new Error(`${what} must be a finite number ≥ 0 or a schedule { schedule: ${names}, … }`);
  }
  const o = s as { [field: string]: unknown };
  const known: readonly string[] = SCHEDULE_FIELDS[kind as keyof typeof SCHEDULE_FIELDS];
  for (const key of Object.keys(o)) {
    if (key !== "schedule" && !known.includes(key)) {
      throw new Error(`${what}: ${kind} has no field '${key}' (it has ${known.join(", ")})`);
    }
  }
  const bad = (field: string, expected: string) =>
    new Error(`${what}: ${kind} ${field} must be ${expected}, got ${shownField(o[field])}`);
  if (kind === "piecewise_constant") {
    const { boundaries, values } = o;
    const increasing = (b: unknown, i: number, all: unknown[]) =>
      numberFrom(b, 0) && (i === 0 || (b as number) > (all[i - 1] as number));
    if (!Array.isArray(boundaries) || !boundaries.every(increasing)) {
      throw bad("boundaries", "an increasing list of step counts ≥ 0");
    }
    if (!Array.isArray(values) || values.length !== boundaries.length + 1 || !values.every((v) => numberFrom(v, 0))) {
      throw bad("values", `a list of ${boundaries.length + 1} learning rates ≥ 0 (one more than the boundaries)`);
    }
    return;
  }
  if (!numberFrom(o["initialLearningRate"], 0)) throw bad("initialLearningRate", "a finite number ≥ 0");
  if (!numberFrom(o["decaySteps"], 0, true)) throw bad("decaySteps", "a finite number > 0");
  if (kind === "exponential_decay") {
    if (!numberFrom(o["decayRate"], 0, true)) throw bad("decayRate", "a finite number > 0");
    if (typeof o["staircase"] !== "boolean") throw bad("staircase", "true or false");
    return;
  }
  if (!numberFrom(o["alpha"], 0) || (o["alpha"] as number) > 1) throw bad("alpha", "a number in [0, 1]");
  const steps = o["warmupSteps"];
  if (!(Number.isSafeInteger(steps) && (steps as number) >= 0)) throw bad("warmupSteps", "an integer ≥ 0");
  const target = o["warmupTarget"];
  if (target !== undefined && !numberFrom(target, 0)) throw bad("warmupTarget", "a finite number ≥ 0");
}
