// placeholder
import type { Stmt } from "../../ir/code.js";
import type { WStmt } from "./code.js";
import type { RowsTranslation } from "./rows-code.js";
export function vectorLoop(_t: RowsTranslation, _s: Stmt & { k: "for" }): WStmt[] | undefined {
  return undefined;
}
