// The module's buffers: one named array per stored tensor, shared by every kernel that
// computes that tensor (kernels never run at the same time). Named after the value (`z_h`,
// `dz_h`), so generated code reads like `nnc grad`.
//
//   buffers.of(z_h, true)  // "z_h": a VecArray of maxBatch × 128 elements

import type { Names, Node } from "../ir/node.js";
import { sizeOf } from "../ir/node.js";
import type { Namer } from "./namer.js";
import type { Buffer } from "./program.js";

/** Shorter words for ops in fallback names (`patches_img`, not `im2col_img`). */
const STEMS: Record<string, string> = { im2col: "patches", col2im: "unpatch", matmul_nt: "prod", matmul_nn: "prod", logsoftmax: "log_softmax" };

/**
 * A JavaScript identifier stem for a node: its name; for a value without one (a part of an
 * expression that `nnc grad` prints inline), its op and what it reads: `logsoftmax_z_out`, `sum_y`.
 * (The namer shortens a long one: namer.ts MAX_HINT.)
 */
export function stemOf(node: Node, names: Names): string {
  const label = (n: Node, depth: number): string | undefined => {
    if (n.op === "param" || n.op === "input") return String(n.attrs["name"]);
    const name = names.get(n.id);
    if (name !== undefined) return name;
    // A reshape is a view: named as what it shows.
    if (n.op === "reshape") return label(n.inputs[0]!, depth);
    if (depth === 0 || n.inputs.length === 0) return undefined;
    // After the first operand with a label (`2 * x` reads as mul_x: a constant has none).
    for (const input of n.inputs) {
      const inner = label(input, depth - 1);
      if (inner !== undefined) return `${STEMS[n.op] ?? n.op}_${inner}`;
    }
    return undefined;
  };
  return (label(node, 2) ?? `t${node.id}`).replace(/[^A-Za-z0-9_]/g, "_");
}

export class Buffers {
  private readonly byNode = new Map<number, Buffer>();
  private readonly scratches: Buffer[] = [];

  constructor(
    private readonly namer: Namer,
    private readonly names: Names,
  ) {}

  /** The buffer holding `node` (with `rows` rows), created on first use. */
  of(node: Node, rows: number): string {
    let buffer = this.byNode.get(node.id);
    if (!buffer) {
      const size = sizeOf(node.shape);
      buffer = { name: this.namer.take(stemOf(node, this.names)), shape: node.shape, rows, length: size * rows, role: node.role, ...(node.origin ? { origin: node.origin } : {}) };
      this.byNode.set(node.id, buffer);
    } else if (buffer.rows !== rows) {
      throw new Error(`internal: buffer ${buffer.name} used with ${rows} and ${buffer.rows} rows`);
    }
    return buffer.name;
  }

  /** A buffer of `length` elements that holds no tensor of the graph (a training step's stored gradient). */
  scratch(hint: string, length: number, role: Buffer["role"]): string {
    const buffer: Buffer = { name: this.namer.take(hint), shape: [length], rows: 1, length, role };
    this.scratches.push(buffer);
    return buffer.name;
  }

  list(): Buffer[] {
    return [...this.byNode.values(), ...this.scratches];
  }
}
