// The squared Frobenius norm of a sum of outer products from its factors: for G = Σ_b a_b b_bᵀ
// (a weight gradient over a minibatch), ‖G‖² = Σ_b Σ_c (a_b · a_c)(b_b · b_c), the elementwise
// product of the rows' two Gram matrices. A fused training step needs the gradient's norm before
// it applies any update (the guard, clipping), and this costs n²(m + k)/2 multiply-adds instead
// of storing G (m × k) and sweeping it. For one row it is ‖a‖²‖b‖².
//
//   let sq = 0; for (b1 < n) for (b2 ≤ b1) { da = a_b1 · a_b2; db = b_b1 · b_b2; sq += (b1 === b2 ? 1 : 2) · da · db }

import { type Expr, type Stmt, assign, binary, compare, cond, decl, indexAdd, indexMul, load, loop, num, ret, v } from "../ir/code.js";
import type { MatrixRef } from "../ops/op-def.js";

/** Statements returning Σ_b Σ_c (A_b · A_c)(B_b · B_c) over `rows` rows of A (m wide) and B (k wide). */
export function gramSquares(A: MatrixRef, m: number, B: MatrixRef, k: number, rows: Expr, fresh: (hint: string) => string): Stmt[] {
  const [sq, r1, r2] = [fresh("sq"), fresh("r"), fresh("r")];
  const dot = (M: MatrixRef, width: number, into: string): Stmt[] => {
    const j = fresh("j");
    const at = (row: string) => load(M.array, indexAdd(indexAdd(M.base, indexMul(v(row), M.stride)), v(j)));
    return [decl("let", into, num(0)), loop(j, 0, width, [assign(into, "+=", binary("*", at(r1), at(r2)))])];
  };
  const [da, db] = [fresh("da"), fresh("db")];
  const pair = binary("*", v(da), v(db));
  return [
    decl("let", sq, num(0)),
    loop(r1, 0, rows, [
      loop(r2, 0, binary("+", v(r1), num(1)), [
        ...dot(A, m, da),
        ...dot(B, k, db),
        // Each pair off the diagonal stands for two.
        assign(sq, "+=", cond(compare("===", v(r1), v(r2)), pair, binary("*", num(2), pair))),
      ]),
    ]),
    ret(v(sq)),
  ];
}
