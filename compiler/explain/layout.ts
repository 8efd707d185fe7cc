// How a model's graph is laid out for Graphviz, chosen by what the layout will cost.
//
// Graphviz's dot ranks the boxes top to bottom and then places them with network simplex on a
// graph that has one extra node per rank an edge crosses; that placement is where the time
// goes (measured: 20 dense layers, 233 boxes, 13,969 such nodes, 11 s of 11 s). Drawn as it
// reads (forward pass down, then the backward pass further down), a deep model's forward
// values reach their backward uses across the whole picture, so those nodes grow with the
// square of the depth. The ladder draws each gradient op beside the forward op it belongs to
// instead: edges between gradient ops point up (the backward pass climbs back up beside the
// forward one), and a value used on distant lines is drawn again (dashed) where it is used, so
// every edge from a forward value is short and the cost grows with the depth, not its square
// (25 layers that all add one shared value: 240 s as it reads, 0.2 s as a ladder).
//
//   const laid = arrange({ boxes, arrows });   // as it reads when cheap, else the ladder
//   laid.drawing.boxes.length > MAX_BOXES     // too many to draw at all

/** What a box shows, and so its colour: data, parameters, forward and backward ops, results. */
export type GraphNodeKind = "input" | "param" | "forward" | "gradient" | "result";

export interface Box {
  id: string;
  kind: GraphNodeKind;
  /** The model line the box comes from (for gradient ops: the line they are the backward of). */
  line: number | undefined;
  attrs: Record<string, string>;
}

export interface Arrow {
  from: string;
  to: string;
  attrs: Record<string, string>;
}

export interface Drawing {
  boxes: Box[];
  arrows: Arrow[];
}

/**
 * Above this cost (of the picture as it reads) the ladder is drawn instead. Every example model
 * costs under 600; 8 dense layers cost 1,500 and take 0.3 s in Graphviz (wasm), 12 layers 2,900
 * and 1 s, 14 layers 3,800 and 2.3 s, 18 layers 6,000 and 11 s.
 */
export const LADDER_ABOVE = 2_000;

/**
 * Above this many boxes no picture is drawn. As a ladder, 200 dense layers (2,213 boxes) take
 * 1 to 3 s, 300 layers (3,313) about 4 s, 500 layers (5,513) 11 s; 400 steps of a recurrence
 * with shared weights (4,813 boxes) 2 s.
 */
export const MAX_BOXES = 4_000;

/**
 * Ranks near those Graphviz gives: the longest path from a source, then each source moved down
 * to just above its first user (Graphviz keeps edges short; a parameter sits beside its use).
 */
function ranks(d: Drawing): Map<string, number> {
  const rank = new Map(d.boxes.map((b) => [b.id, 0]));
  const outgoing = new Map<string, string[]>(d.boxes.map((b) => [b.id, []]));
  const waiting = new Map(d.boxes.map((b) => [b.id, 0]));
  for (const a of d.arrows) {
    outgoing.get(a.from)!.push(a.to);
    waiting.set(a.to, waiting.get(a.to)! + 1);
  }
  const sources = d.boxes.filter((b) => waiting.get(b.id) === 0).map((b) => b.id);
  const ready = [...sources];
  while (ready.length > 0) {
    const id = ready.pop()!;
    for (const to of outgoing.get(id)!) {
      rank.set(to, Math.max(rank.get(to)!, rank.get(id)! + 1));
      const left = waiting.get(to)! - 1;
      waiting.set(to, left);
      if (left === 0) ready.push(to);
    }
  }
  for (const id of sources) {
    const users = outgoing.get(id)!;
    if (users.length > 0) rank.set(id, Math.min(...users.map((u) => rank.get(u)!)) - 1);
  }
  return rank;
}

/**
 * What laying the drawing out as it reads costs, in the nodes Graphviz places: one per box, and
 * two per rank an arrow spans (labelled edges take two ranks each: one for the label).
 */
export function layoutCost(d: Drawing): number {
  const rank = ranks(d);
  return d.boxes.length + d.arrows.reduce((sum, a) => sum + 2 * Math.max(1, rank.get(a.to)! - rank.get(a.from)!), 0);
}

/**
 * The ladder: arrows between gradient ops reversed (drawn pointing up; `dir=back` keeps their
 * arrowheads where the data goes), and each value drawn again, dashed, on every model line that
 * uses it but is not its own line or the next: a parameter or input on each line that uses it
 * (the first keeps the original), a forward value on each distant line. So every arrow joins
 * neighbouring lines, whatever the model shares between its layers.
 */
export function ladder(d: Drawing): Drawing {
  const byId = new Map(d.boxes.map((b) => [b.id, b]));
  const fed = new Set(d.arrows.map((a) => a.to));
  // A box's rung: the place of its line among the lines that have boxes (blank lines and
  // comments between statements do not count).
  const lines = [...new Set(d.boxes.map((b) => b.line).filter((l): l is number => l !== undefined))].sort((a, b) => a - b);
  const rungs = new Map(lines.map((line, i) => [line, i]));
  const rungOf = (b: Box) => (b.line === undefined ? undefined : rungs.get(b.line));
  const copies = new Map<string, Map<number | undefined, string>>();
  const extra = new Map<string, Box[]>();
  /** The id `user` takes `source` from: the source itself, or its copy on the user's rung. */
  const sourceFor = (source: Box, user: Box): string => {
    const leaf = !fed.has(source.id);
    const at = rungOf(user);
    if (!leaf) {
      const own = rungOf(source);
      if (source.kind === "gradient" || own === undefined || at === undefined || Math.abs(at - own) <= 1) return source.id;
    }
    const perRung = copies.get(source.id) ?? new Map<number | undefined, string>();
    copies.set(source.id, perRung);
    let id = perRung.get(at);
    if (id === undefined) {
      id = leaf && perRung.size === 0 ? source.id : `${source.id}_${perRung.size + 1}`;
      perRung.set(at, id);
      if (id !== source.id) extra.set(source.id, [...(extra.get(source.id) ?? []), { ...source, id, attrs: { ...source.attrs, style: "rounded,filled,dashed" } }]);
    }
    return id;
  };
  const arrows = d.arrows.map((a) => {
    const to = byId.get(a.to)!;
    const from = sourceFor(byId.get(a.from)!, to);
    const backward = byId.get(a.from)!.kind === "gradient" && to.kind === "gradient";
    return backward ? { from: a.to, to: from, attrs: { ...a.attrs, dir: "back" } } : { ...a, from };
  });
  const boxes = d.boxes.flatMap((b) => [b, ...(extra.get(b.id) ?? [])]);
  return { boxes, arrows };
}

/**
 * Graphviz's `nslimit` for the ladder: placement stops after 0.1 × boxes network-simplex
 * iterations. 300 dense layers: 7.2 s → 1.6 s (Graphviz 2.43, native), and the picture stays a
 * narrow ladder instead of drifting sideways.
 */
export const LADDER_NSLIMIT = "0.1";

export type LayoutChoice = "auto" | "reading" | "ladder";

export interface Laid {
  drawing: Drawing;
  ladder: boolean;
}

/** The drawing as it reads when that is cheap to lay out, else the ladder (or as `choice` says). */
export function arrange(d: Drawing, choice: LayoutChoice = "auto"): Laid {
  const asLadder = choice === "ladder" || (choice === "auto" && layoutCost(d) > LADDER_ABOVE);
  return asLadder ? { drawing: ladder(d), ladder: true } : { drawing: d, ladder: false };
}
