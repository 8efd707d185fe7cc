// The training curve of `nnc train --plot curve.svg`: loss and (when the model reports it)
// accuracy per epoch, training solid and validation dashed, as a small hand-written SVG (a few
// polylines, axes and labels: no chart library needed for that).
//
//   writeOutput("curve.svg", curveSvg("parity", { loss: [0.7, 0.6], accuracy: [0.4, 0.6] }));

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

function panel(title: string, series: Series[], epochs: number, fixed: [number, number] | null, y0: number): string {
  const values = series.flatMap((s) => s.values).filter(Number.isFinite);
  let [lo, hi] = fixed ?? (values.length > 0 ? [Math.min(...values), Math.max(...values)] : [0, 1]);
  if (!fixed) {
    const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
    lo -= pad;
    hi += pad;
  }
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (epoch: number) => MARGIN.left + (epochs <= 1 ? plotW / 2 : ((epoch - 1) / (epochs - 1)) * plotW);
  const y = (v: number) => y0 + MARGIN.top + (1 - (v - lo) / (hi - lo)) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${MARGIN.left}" y="${y0 + 20}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`);
  const left = MARGIN.left;
  const right = MARGIN.left + plotW;
  const bottom = y0 + MARGIN.top + plotH;
  for (const t of niceTicks(lo, hi)) {
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
    const pts = s.values.flatMap((v, e) => (Number.isFinite(v) ? [`${x(e + 1).toFixed(2)},${y(v).toFixed(2)}`] : []));
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    parts.push(`<polyline data-series="${s.key}" points="${pts.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    // A single epoch is a point, which a polyline does not draw.
    if (s.values.length === 1) parts.push(`<circle cx="${x(1).toFixed(2)}" cy="${y(s.values[0]!).toFixed(2)}" r="3" fill="${s.color}"/>`);
    const ly = y0 + MARGIN.top + 8 + i * 18;
    parts.push(`<line x1="${right + 14}" y1="${ly}" x2="${right + 38}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${right + 44}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  return parts.join("\n");
}

/** An SVG document with a loss panel and, when the history has accuracy, an accuracy panel. */
export function curveSvg(modelName: string, history: History): string {
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
