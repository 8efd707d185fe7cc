// The ConvNetJS peer (npm `convnetjs` 0.3.0, the classic in-browser CNN trainer): the benchmark's
// CNN built from ConvNetJS layers, with nnc's initial weights copied in (ConvNetJS keeps one
// volume per filter, [kh, kw, in] like nnc's kernels with `out` outermost, and one weight row per
// dense unit, like nnc's [out, in]). ConvNetJS trains one sample at a time and sums the
// gradients of a batch; its Trainer has no Adam in 0.3.0, so the update is Keras' Adam written
// over `net.getParamsAndGrads()` as the Trainer's own loop is (a small share of a step).
//
//   const net = convnetNet(benchCnnNet(), params);
//   net.fit(x, y, rows, { batchSize: 32, epochs: 1 });

import { createRequire } from "node:module";
import { CNN_CLASSES, CNN_PIXELS, type CnnSpec } from "../cnn-workload.js";

interface Vol {
  w: Float64Array;
  dw: Float64Array;
}
interface ConvnetLayer {
  layer_type: string;
  filters?: Vol[];
  biases?: Vol;
}
interface ConvnetNet {
  layers: ConvnetLayer[];
  makeLayers(defs: object[]): void;
  forward(v: Vol, training?: boolean): Vol;
  backward(label: number): number;
  getParamsAndGrads(): { params: Float64Array; grads: Float64Array }[];
}
const convnetjs = createRequire(import.meta.url)("convnetjs") as { Net: new () => ConvnetNet; Vol: new (sx: number, sy: number, depth: number, fill: number) => Vol };

export interface ConvnetPeer {
  /** Rows in the given order, `batchSize` per update. */
  fit(x: Float64Array, y: Float64Array, rows: number, opts: { batchSize: number; epochs: number }): void;
  evaluate(x: Float64Array, y: Float64Array, rows: number): { loss: number; accuracy: number };
  predictOne(x: Float64Array): Float64Array;
}

export function convnetNet(spec: CnnSpec, params: Float64Array): ConvnetPeer {
  const [h, w, c] = spec.input;
  const defs: object[] = [{ type: "input", out_sx: w, out_sy: h, out_depth: c }];
  for (const l of spec.layers) {
    if (l.kind === "conv") defs.push({ type: "conv", sx: l.size, filters: l.filters, stride: 1, pad: l.padding === "same" ? (l.size - 1) / 2 : 0, activation: "relu" });
    else if (l.kind === "maxpool") defs.push({ type: "pool", sx: l.size, stride: l.size });
    else if (l.kind === "dense" && l.activation === "softmax") defs.push({ type: "softmax", num_classes: l.units }); // ConvNetJS adds the fc layer
    else if (l.kind === "dense") throw new Error("convnetNet: only the softmax dense layer is supported");
    else if (l.kind === "dropout") throw new Error("convnetNet: no dropout (its masks could not match nnc's)");
    // flatten: ConvNetJS' fc layer reads a volume in row-major (y, x, depth) order, as nnc flattens
  }
  const net = new convnetjs.Net();
  net.makeLayers(defs);
  // Copy nnc's weights into ConvNetJS' layers, in order.
  const weighted = spec.layers.filter((l) => l.kind === "conv" || l.kind === "dense");
  const targets = net.layers.filter((l) => l.layer_type === "conv" || l.layer_type === "fc");
  let inputs = c;
  weighted.forEach((l, i) => {
    const layer = targets[i]!;
    if (l.kind === "conv") {
      const taps = l.size * l.size;
      layer.filters!.forEach((f, o) => {
        for (let t = 0; t < taps; t++) for (let ch = 0; ch < inputs; ch++) f.w[t * inputs + ch] = params[l.K + (t * inputs + ch) * l.filters + o]!;
      });
      layer.biases!.w.set(params.subarray(l.b, l.b + l.filters));
      inputs = l.filters;
    } else if (l.kind === "dense") {
      const fanIn = layer.filters![0]!.w.length;
      layer.filters!.forEach((f, o) => f.w.set(params.subarray(l.W + o * fanIn, l.W + (o + 1) * fanIn)));
      layer.biases!.w.set(params.subarray(l.b, l.b + l.units));
    }
  });

  const opt = spec.optimizer;
  const pg = net.getParamsAndGrads();
  const m = pg.map((p) => new Float64Array(p.params.length));
  const v = pg.map((p) => new Float64Array(p.params.length));
  let t = 0;
  const vol = new convnetjs.Vol(w, h, c, 0);
  const load = (x: Float64Array, r: number) => vol.w.set(x.subarray(r * CNN_PIXELS, (r + 1) * CNN_PIXELS));
  const label = (y: Float64Array, r: number) => {
    let best = 0;
    for (let k = 1; k < CNN_CLASSES; k++) if (y[r * CNN_CLASSES + k]! > y[r * CNN_CLASSES + best]!) best = k;
    return best;
  };

  function update(n: number): void {
    t++;
    const alpha = (opt.lr * Math.sqrt(1 - Math.pow(opt.beta2, t))) / (1 - Math.pow(opt.beta1, t));
    pg.forEach(({ params: p, grads: g }, i) => {
      const mi = m[i]!;
      const vi = v[i]!;
      for (let j = 0; j < p.length; j++) {
        const gj = g[j]! / n;
        mi[j] = mi[j]! + (gj - mi[j]!) * (1 - opt.beta1);
        vi[j] = vi[j]! + (gj * gj - vi[j]!) * (1 - opt.beta2);
        p[j] -= (mi[j]! * alpha) / (Math.sqrt(vi[j]!) + opt.epsilon);
        g[j] = 0;
      }
    });
  }

  return {
    fit(x, y, rows, { batchSize, epochs }) {
      for (let e = 0; e < epochs; e++) {
        for (let from = 0; from < rows; from += batchSize) {
          const n = Math.min(batchSize, rows - from);
          for (let r = from; r < from + n; r++) {
            load(x, r);
            net.forward(vol, true);
            net.backward(label(y, r));
          }
          update(n);
        }
      }
    },
    evaluate(x, y, rows) {
      let loss = 0;
      let right = 0;
      for (let r = 0; r < rows; r++) {
        load(x, r);
        const p = net.forward(vol, false).w;
        const k = label(y, r);
        loss -= Math.log(Math.max(p[k]!, 1e-7));
        let top = 0;
        for (let j = 1; j < CNN_CLASSES; j++) if (p[j]! > p[top]!) top = j;
        if (top === k) right++;
      }
      return { loss: loss / rows, accuracy: right / rows };
    },
    predictOne(x) {
      load(x, 0);
      return net.forward(vol, false).w;
    },
  };
}
