// The optimizers' updates in the loop language, for generated training steps that apply the
// update themselves (train-step.ts). Each is the runtime's update (runtime/optimizers.ts) written
// operation for operation in the same order, with the model file's options as literals and the
// learning rate read at each step: a generated step computes the same numbers as
// `optimizer.step` (tests/lower/train-step.test.ts holds them to it), and shares its state.
//
//   adam: m' = m + (g − m)(1 − β1); v' = v + (g² − v)(1 − β2); p −= (m' α) / (√v' + ε)

import { type Expr, type Stmt, binary, call, decl, load, num, store, v } from "../ir/code.js";
import { STATE_ARRAYS, type OptimizerName } from "../../runtime/optimizer-options.js";

/** Names for the step's locals: `take` a readable one (`lr`), or a `fresh` numbered one (`mi1`). */
export interface StepNames {
  take(hint: string): string;
  fresh(hint: string): string;
}

export interface OptimizerStep {
  /** The locals holding the state arrays, in the order OptimizerState.arrays holds them. */
  arrays: readonly string[];
  /** Statements before the elements' updates (the rate, Adam's bias-corrected), given the learning rate and step. */
  prepare(lr: Expr, t: Expr): Stmt[];
  /** The locals `prepare` declares, which the updates read. */
  scalars: readonly string[];
  /** The update of parameter element `o` (in `p`) with gradient `g`. */
  element(o: Expr, g: Expr): Stmt[];
}

const lit = (x: number) => num(x);

/** The generated update of a model's optimizer, or undefined for one it cannot generate. */
export function optimizerStep(name: string, options: Readonly<Record<string, number | boolean>>, names: StepNames): OptimizerStep | undefined {
  if (!(name in STATE_ARRAYS)) return undefined;
  const arrays = STATE_ARRAYS[name as OptimizerName].map((a) => names.take(a));
  const at = (k: number, o: Expr) => load(arrays[k]!, o);
  const put = (k: number, o: Expr, value: Expr) => store(arrays[k]!, o, "=", value);
  const number = (key: string) => Number(options[key]);
  const { fresh } = names;
  const rate = (): { name: string; prepare: (lr: Expr) => Stmt[]; scalars: readonly string[] } => {
    const lrName = names.take("lr");
    return { name: lrName, prepare: (lr) => [decl("const", lrName, lr)], scalars: [lrName] };
  };
  switch (name as OptimizerName) {
    case "sgd": {
      const momentum = number("momentum");
      const nesterov = options["nesterov"] === true;
      const lr = rate();
      return {
        arrays,
        prepare: lr.prepare,
        scalars: lr.scalars,
        element: (o, g) => {
          // p −= lr·g; with momentum: vel = momentum·vel − lr·g, then p += vel (Nesterov: p += momentum·vel − lr·g)
          const step = binary("*", v(lr.name), g);
          if (momentum === 0) return [store("p", o, "-=", step)];
          const vel = fresh("vel");
          const delta = nesterov ? binary("-", binary("*", lit(momentum), v(vel)), step) : v(vel);
          return [decl("const", vel, binary("-", binary("*", lit(momentum), at(0, o)), step)), put(0, o, v(vel)), store("p", o, "+=", delta)];
        },
      };
    }
    case "adam": {
      const [beta1, beta2, epsilon] = [number("beta1"), number("beta2"), number("epsilon")];
      const alpha = names.take("alpha");
      return {
        arrays,
        scalars: [alpha],
        // alpha = lr·√(1 − β2^t) / (1 − β1^t)
        prepare: (lr, t) => [
          decl(
            "const",
            alpha,
            binary("/", binary("*", lr, call("Math.sqrt", binary("-", lit(1), call("Math.pow", lit(beta2), t)))), binary("-", lit(1), call("Math.pow", lit(beta1), t))),
          ),
        ],
        element: (o, g) => {
          const [mi, vi] = [fresh("mi"), fresh("vi")];
          return [
            decl("const", mi, binary("+", at(0, o), binary("*", binary("-", g, at(0, o)), binary("-", lit(1), lit(beta1))))),
            decl("const", vi, binary("+", at(1, o), binary("*", binary("-", binary("*", g, g), at(1, o)), binary("-", lit(1), lit(beta2))))),
            put(0, o, v(mi)),
            put(1, o, v(vi)),
            store("p", o, "-=", binary("/", binary("*", v(mi), v(alpha)), binary("+", call("Math.sqrt", v(vi)), lit(epsilon)))),
          ];
        },
      };
    }
    case "rmsprop": {
      const [rho, momentum, epsilon] = [number("rho"), number("momentum"), number("epsilon")];
      const centered = options["centered"] === true;
      const c = binary("-", lit(1), lit(rho));
      const lr = rate();
      return {
        arrays,
        prepare: lr.prepare,
        scalars: lr.scalars,
        element: (o, g) => {
          // vi = ρ·vel + (1 − ρ)·g·g; denominator vi + ε (centered: vi − a² + ε with a = ρ·mean + (1 − ρ)·g)
          const [vi, den, inc] = [fresh("vi"), fresh("den"), fresh("inc")];
          const out: Stmt[] = [decl("const", vi, binary("+", binary("*", lit(rho), at(0, o)), binary("*", binary("*", c, g), g))), put(0, o, v(vi))];
          if (centered) {
            const a = fresh("a");
            out.push(
              decl("const", a, binary("+", binary("*", lit(rho), at(2, o)), binary("*", c, g))),
              put(2, o, v(a)),
              decl("const", den, binary("+", binary("-", v(vi), binary("*", v(a), v(a))), lit(epsilon))),
            );
          } else {
            out.push(decl("const", den, binary("+", v(vi), lit(epsilon))));
          }
          out.push(decl("const", inc, binary("/", binary("*", v(lr.name), g), call("Math.sqrt", v(den)))));
          if (momentum > 0) {
            const mom = fresh("mom");
            out.push(decl("const", mom, binary("+", binary("*", lit(momentum), at(1, o)), v(inc))), put(1, o, v(mom)), store("p", o, "-=", v(mom)));
          } else {
            out.push(store("p", o, "-=", v(inc)));
          }
          return out;
        },
      };
    }
    case "adagrad": {
      const epsilon = number("epsilon");
      const lr = rate();
      return {
        arrays,
        prepare: lr.prepare,
        scalars: lr.scalars,
        // acc += g²; p −= lr·g / √(acc + ε)
        element: (o, g) => {
          const acc = fresh("acc");
          return [
            decl("const", acc, binary("+", at(0, o), binary("*", g, g))),
            put(0, o, v(acc)),
            store("p", o, "-=", binary("/", binary("*", v(lr.name), g), call("Math.sqrt", binary("+", v(acc), lit(epsilon))))),
          ];
        },
      };
    }
  }
}
