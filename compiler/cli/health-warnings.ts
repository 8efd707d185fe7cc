// What `nnc train` says in words about the per-layer gradient norms fit recorded (its health
// history): a layer whose gradient is 1,000× smaller than the last layer's (a vanishing
// gradient: the early layers barely learn), and a gradient norm that grows 10× from one epoch to
// the next (an exploding gradient), each naming the layer, the epoch and what usually helps.
// One warning per layer and kind, at the first epoch it happens.
//
//   healthWarnings(health)
//   // ["vanishing gradient: W_h1's gradient is 2,340× smaller than the last layer's (W_out) in epoch 1; …"]

import type { HealthHistory } from "../../runtime/health.js";
import { layerTensors } from "./curve-svg.js";

/** A layer's gradient this many times smaller than the last layer's is vanishing. */
export const VANISHING_RATIO = 1000;
/** A gradient norm growing this many times within an epoch is exploding. */
export const EXPLODING_RATIO = 10;

const times = (ratio: number) => `${Math.round(ratio).toLocaleString("en-US")}×`;
const norm = (x: number) => (x >= 1e-3 && x < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2));

const VANISHING_HELP =
  "the early layers barely learn. What usually helps: an initializer that keeps the signal's scale through depth " +
  "(he_normal for relu, glorot_uniform for tanh), an activation that does not saturate (relu instead of sigmoid), " +
  "or fewer layers";
const EXPLODING_HELP =
  "What usually helps: clipping the gradient (clipnorm = 1 in the optimizer), a lower learning rate, " +
  "or a smaller initializer";

export function healthWarnings(health: HealthHistory): string[] {
  const layers = layerTensors(health);
  const warnings: string[] = [];
  const last = layers[layers.length - 1];
  if (last && layers.length >= 2) {
    for (const layer of layers.slice(0, -1)) {
      const epoch = layer.gradNorm.findIndex((g, e) => g > 0 && last.gradNorm[e]! > VANISHING_RATIO * g);
      if (epoch < 0) continue;
      const ratio = last.gradNorm[epoch]! / layer.gradNorm[epoch]!;
      warnings.push(
        `vanishing gradient: ${layer.name}'s gradient is ${times(ratio)} smaller than the last layer's (${last.name}) in epoch ${epoch + 1} ` +
          `(${norm(layer.gradNorm[epoch]!)} against ${norm(last.gradNorm[epoch]!)}): ${VANISHING_HELP}`,
      );
    }
  }
  for (const layer of layers) {
    const epoch = layer.gradNorm.findIndex((g, e) => e > 0 && layer.gradNorm[e - 1]! > 0 && g >= EXPLODING_RATIO * layer.gradNorm[e - 1]!);
    if (epoch < 0) continue;
    const [before, after] = [layer.gradNorm[epoch - 1]!, layer.gradNorm[epoch]!];
    warnings.push(
      `exploding gradient: ${layer.name}'s gradient norm grew ${times(after / before)} from epoch ${epoch} to epoch ${epoch + 1} ` +
        `(${norm(before)} to ${norm(after)}). ${EXPLODING_HELP}`,
    );
  }
  return warnings;
}
