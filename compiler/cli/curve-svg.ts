// The training curve of `nnc train --plot curve.svg`: loss and (when the model reports it)
// accuracy per epoch, training solid and validation dashed, then (when fit recorded its health)
// each layer's gradient norm on a log scale, early layers light and late ones dark, so a
// vanishing gradient shows as the first layers falling away from the last; and the saturated /
// dead fraction of each activation. A small hand-written SVG (a few polylines, axes and labels:
// no chart library needed for that).
//
//   writeOutput("curve.svg", curveSvg("parity", { loss: [0.7, 0.6], accuracy: [0.4, 0.6] }));
//   curveSvg("deep", history, health)   // + "gradient norm per layer" and "activations" panels

import type { HealthHistory } from "../../runtime/health.js";

export type History = Record<string, number[] | undefined>;

const WIDTH = 720;
const PANEL_HEIGHT = 240;
const MARGIN = { left: 64, right: 130, top: 34, bottom: 40 };
const COLORS = { train: "#1f77b4", validation: "#ff7f0e" };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function tickLabel(t: number): string {
  return Math.abs(t) >= 1e4 || (t !== 0 && Math.abs(t) < 1e-3) ? t.toExponential(1) : String(t);
}

interface Series {
  label: string;
  values: number[];
  color: string;
  dashed: boolean;
  key: string;
}

/** A log-scale axis: its range in decades and its ticks (powers of ten). */
function logAxis(values: number[]): { lo: number; hi: number; ticks: number[] } {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return { lo: -1, hi: 1, ticks: [0.1, 1, 10] };
  let lo = Math.floor(Math.log10(Math.min(...positive)));
  let hi = Math.ceil(Math.log10(Math.max(...positive)));
  if (hi === lo) hi++;
  const every = Math.max(1, Math.ceil((hi - lo) / 6));
  const ticks: number[] = [];
  for (let d = lo; d <= hi; d += every) ticks.push(Number(`1e${d}`));
  [lo, hi] = [lo - 0.1, hi + 0.1];
  return { lo, hi, ticks };
}

function panel(title: string, series: Series[], epochs: number, fixed: [number, number] | null, y0: number, log = false): string {
  const values = series.flatMap((s) => s.values).filter(Number.isFinite);
  const axis = log ? logAxis(values) : null;
  let [lo, hi] = axis ? [axis.lo, axis.hi] : (fixed ?? (values.length > 0 ? [Math.min(...values), Math.max(...values)] : [0, 1]));
  if (!fixed && !axis) {
    const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (epoch: number) => MARGIN.left + (epochs <= 1 ? plotW / 2 : ((epoch - 1) / (epochs - 1)) * plotW);
  const y = (v: number) => y0 + MARGIN.top + (1 - ((axis ? Math.log10(v) : v) - lo) / (hi - lo)) * plotH;
  // A log axis has no place for 0 or a negative value: such points are left out, like NaN.
  const drawable = (v: number) => Number.isFinite(v) && (!axis || v > 0);
  const parts: string[] = [];
  parts.push(`<text x="${MARGIN.left}" y="${y0 + 20}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  const left = MARGIN.left;
  const right = MARGIN.left + plotW;
  const bottom = y0 + MARGIN.top + plotH;
  for (const t of axis ? axis.ticks : niceTicks(lo, hi)) {
    const ty = y(t).toFixed(1);
    parts.push(`<line x1="${left}" y1="${ty}" x2="${right}" y2="${ty}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${tickLabel(t)}</text>`);
  }
  for (const t of niceTicks(1, Math.max(epochs, 1)).filter((t) => Number.isInteger(t))) {
    const tx = x(t).toFixed(1);
    parts.push(`<line x1="${tx}" y1="${bottom}" x2="${tx}" y2="${bottom + 4}" stroke="#333"/>`);
    parts.push(`<text x="${tx}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<polyline points="${left},${y0 + MARGIN.top} ${left},${bottom} ${right},${bottom}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${(left + right) / 2}" y="${bottom + 32}" text-anchor="middle">epoch</text>`);
  series.forEach((s, i) => {
    // A NaN loss (a diverged epoch) has no point; the line joins its neighbours.
    const pts = s.values.flatMap((v, e) => (drawable(v) ? [`${x(e + 1).toFixed(2)},${y(v).toFixed(2)}`] : []));
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    parts.push(`<polyline data-series="${s.key}" points="${pts.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    // A single epoch is a point, which a polyline does not draw.
    if (s.values.length === 1 && drawable(s.values[0]!)) parts.push(`<circle cx="${x(1).toFixed(2)}" cy="${y(s.values[0]!).toFixed(2)}" r="3" fill="${s.color}"/>`);
    const ly = y0 + MARGIN.top + 8 + i * 18;
    parts.push(`<line x1="${right + 14}" y1="${ly}" x2="${right + 38}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${right + 44}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  return parts.join("\n");
}

/** Colors from early layers (light) to late ones (dark): a single-hue ramp reads as depth. */
function depthColor(i: number, count: number): string {
  const t = count <= 1 ? 1 : i / (count - 1);
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(158, 8)},${mix(202, 48)},${mix(225, 107)})`;
}

/**
 * The tensors whose gradient norms are drawn and compared, one per layer: the weight matrices and
 * kernels (rank 2 or more; biases would double the lines), or every tensor when there are fewer than two.
 */
export function layerTensors(health: HealthHistory): HealthHistory["params"] {
  const weights = health.params.filter((p) => p.shape.length >= 2);
  return weights.length >= 2 ? weights : health.params;
}

/** The health panels: gradient norm per layer (log scale), and the activations' saturated / dead fractions. */
function healthPanels(modelName: string, health: HealthHistory, epochs: number, y0: number): string[] {
  const layers = layerTensors(health);
  const norms = layers.map((p, i) => ({ key: `grad_${p.name}`, label: p.name, values: p.gradNorm, color: depthColor(i, layers.length), dashed: false }));
  const panels = [panel(`${modelName}: gradient norm per layer (log scale)`, norms, epochs, null, y0, true)];
  if (health.activations.length > 0) {
    const acts = health.activations.map((a, i) => ({
      key: `${a.measure}_${a.name}`,
      label: `${a.name} ${a.measure}`,
      values: a.fraction,
      color: depthColor(i, health.activations.length),
      dashed: a.measure === "dead",
    }));
    panels.push(panel(`${modelName}: saturated (sigmoid, tanh) / dead (relu) units`, acts, epochs, [0, 1], y0 + PANEL_HEIGHT));
  }
  return panels;
}

/**
 * An SVG document with a loss panel, an accuracy panel when the history has accuracy, and the
 * health panels when `health` is given.
 */
export function curveSvg(modelName: string, history: History, health?: HealthHistory): string {
  const series = (metric: string): Series[] =>
    (
      [
        { key: metric, label: "training", color: COLORS.train, dashed: false },
        { key: `val_${metric}`, label: "validation", color: COLORS.validation, dashed: true },
      ] as const
    )
      .filter((s) => (history[s.key]?.length ?? 0) > 0)
      .map((s) => ({ ...s, values: history[s.key]! }));
  const epochs = history["loss"]?.length ?? 0;
  const panels: string[] = [];
  panels.push(panel(`${modelName}: loss`, series("loss"), epochs, null, 0));
  if (series("accuracy").length > 0) panels.push(panel(`${modelName}: accuracy`, series("accuracy"), epochs, [0, 1], PANEL_HEIGHT));
  if (health && health.params.length > 0) panels.push(...healthPanels(modelName, health, epochs, PANEL_HEIGHT * panels.length));
  const height = PANEL_HEIGHT * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(`${modelName}: training curve, ${epochs} epoch${epochs === 1 ? "" : "s"}`)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    ...panels,
    `</svg>`,
    ``,
  ].join("\n");
}
