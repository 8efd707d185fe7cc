// A module's optimizer with its state hidden: a trainer given it takes the runtime's generic
// path (gradBatch, then optimizer.step in JavaScript), not the module's generated fused step or
// tail, which need the optimizer's state (runtime/trainer.ts). Tests hold the generated code to it.

export interface SteppingOptimizer<V> {
  step(p: V, g: V): void;
  learningRate: number;
  readonly iterations: number;
}

/** `opt` without its `state`: the same steps, rate and count, through the runtime's path. */
export function generic<V, O extends SteppingOptimizer<V>>(opt: O): SteppingOptimizer<V> {
  return {
    step: (p, g) => opt.step(p, g),
    get iterations() {
      return opt.iterations;
    },
    get learningRate() {
      return opt.learningRate;
    },
    set learningRate(v: number) {
      opt.learningRate = v;
    },
  };
}
