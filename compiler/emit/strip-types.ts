// TypeScript to JavaScript by cutting the types out of the source text: annotations, `!`,
// `as T`, type arguments, `private` / `readonly` and the like, and statements that declare only
// types. Everything else is kept character for character, so the JavaScript keeps the source's
// layout and comments (TypeScript's own emitter reprints the code with 4-space indents and
// moves `if` bodies onto lines of their own). Used on runtime/ declarations when they are
// indexed (runtime-bundle.ts), so a JavaScript module costs no TypeScript at compile time.
//
//   function f(a: number, b?: Vec): void { g(a as number, b!); }
//   →  function f(a, b) { g(a, b); }
//
// Syntax with runtime meaning that JavaScript lacks (enums, namespaces, parameter properties,
// `<T>x` assertions) is refused: runtime files keep to TypeScript's erasableSyntaxOnly subset.

import type { ts as TS } from "ts-morph";

type Ts = typeof TS;

/** A piece of source text to cut: [start, end) in the source file. */
export type Cut = readonly [start: number, end: number];

/** True for a statement that declares only types (it has no JavaScript at all). */
export function isTypeOnly(ts: Ts, stmt: TS.Statement): boolean {
  if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) return true;
  // An overload signature: a function declaration without a body.
  if (ts.isFunctionDeclaration(stmt) && stmt.body === undefined) return true;
  return hasModifier(ts, stmt, ts.SyntaxKind.DeclareKeyword);
}

function hasModifier(ts: Ts, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** Modifiers that only TypeScript reads. */
function typeModifier(ts: Ts, kind: TS.SyntaxKind): boolean {
  const k = ts.SyntaxKind;
  return [k.PrivateKeyword, k.ProtectedKeyword, k.PublicKeyword, k.ReadonlyKeyword, k.OverrideKeyword, k.AbstractKeyword, k.DeclareKeyword].includes(kind);
}

/** `[start, end)` widened to whole lines when nothing else is on them (a cut local type declaration leaves no blank line). */
function wholeLines(text: string, start: number, end: number): Cut {
  let from = start;
  while (from > 0 && (text[from - 1] === " " || text[from - 1] === "\t")) from--;
  let to = end;
  while (to < text.length && (text[to] === " " || text[to] === "\t")) to++;
  const alone = (from === 0 || text[from - 1] === "\n") && (to === text.length || text[to] === "\n" || text[to] === "\r");
  if (!alone) return [start, end];
  if (text[to] === "\r") to++;
  if (text[to] === "\n") to++;
  return [from, to];
}

/**
 * The cuts that turn `node` (a statement that is not type-only) into JavaScript. Throws, naming
 * `where`, on syntax that cannot be erased.
 */
export function typeCuts(ts: Ts, node: TS.Node, sf: TS.SourceFile, where: string): Cut[] {
  const text = sf.text;
  const cuts: Cut[] = [];
  const refuse = (n: TS.Node, what: string): never => {
    const line = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    throw new Error(`${where}:${line}: ${what} cannot be erased to JavaScript; use plain JavaScript with type annotations`);
  };
  /** Cuts `: T` (and a `?` or `!` before it) from a declaration whose type annotation is `type`. */
  const cutAnnotation = (owner: TS.Node, type: TS.TypeNode): void => {
    const colon = text.lastIndexOf(":", type.getStart(sf));
    let from = colon;
    const marks = owner as { questionToken?: TS.Node; exclamationToken?: TS.Node };
    const mark = marks.questionToken ?? marks.exclamationToken;
    if (mark && mark.getStart(sf) < colon) from = mark.getStart(sf);
    cuts.push([from, type.end]);
  };
  /** Cuts `<…>` around a type argument or type parameter list. */
  const cutAngles = (list: TS.NodeArray<TS.Node>): void => {
    const open = text.lastIndexOf("<", list.pos);
    const close = text.indexOf(">", list.end);
    cuts.push([open, close + 1]);
  };
  const visit = (n: TS.Node): void => {
    if (ts.isEnumDeclaration(n)) refuse(n, "an enum");
    if (ts.isModuleDeclaration(n)) refuse(n, "a namespace");
    if (ts.isTypeAssertionExpression(n)) refuse(n, "a <T>value assertion");
    if (ts.isParameter(n) && (ts.getModifiers(n) ?? []).some((m) => typeModifier(ts, m.kind))) refuse(n, "a parameter property");
    if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.name.text === "this") refuse(n, "a `this` parameter");
    // Statements inside functions that declare only types go whole.
    if (n !== node && (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n))) {
      cuts.push(wholeLines(text, n.getFullStart() + (text.slice(n.getFullStart(), n.getStart(sf)).match(/^\s*/)?.[0].length ?? 0), n.end));
      return;
    }
    // Class members that are only types: overloads without a body, index signatures, `declare` fields.
    if ((ts.isMethodDeclaration(n) && n.body === undefined) || ts.isIndexSignatureDeclaration(n) || (ts.isPropertyDeclaration(n) && hasModifier(ts, n, ts.SyntaxKind.DeclareKeyword))) {
      cuts.push(wholeLines(text, n.getStart(sf), n.end));
      return;
    }
    if (ts.canHaveModifiers(n)) {
      for (const m of ts.getModifiers(n) ?? []) {
        if (!typeModifier(ts, m.kind)) continue;
        let end = m.end;
        while (text[end] === " ") end++;
        cuts.push([m.getStart(sf), end]);
      }
    }
    if (ts.isHeritageClause(n) && n.token === ts.SyntaxKind.ImplementsKeyword) {
      let from = n.getStart(sf);
      while (text[from - 1] === " ") from--;
      cuts.push([from, n.end]);
      return;
    }
    if (ts.isNonNullExpression(n)) cuts.push([n.expression.end, n.end]);
    if (ts.isAsExpression(n) || ts.isSatisfiesExpression(n)) {
      cuts.push([n.expression.end, n.end]);
      visit(n.expression);
      return;
    }
    const withType = n as { type?: TS.TypeNode };
    if (withType.type && ts.isTypeNode(withType.type) && !ts.isTypeNode(n) && !ts.isTypeAliasDeclaration(n)) {
      if (ts.isParameter(n) || ts.isVariableDeclaration(n) || ts.isPropertyDeclaration(n) || ts.isFunctionLike(n)) {
        cutAnnotation(n, withType.type);
      }
    }
    // A `?` with no annotation (an optional parameter or property written without a type).
    if ((ts.isParameter(n) || ts.isPropertyDeclaration(n)) && n.questionToken && !n.type) cuts.push([n.questionToken.getStart(sf), n.questionToken.end]);
    if (ts.isVariableDeclaration(n) && n.exclamationToken && !n.type) cuts.push([n.exclamationToken.getStart(sf), n.exclamationToken.end]);
    const generic = n as { typeArguments?: TS.NodeArray<TS.TypeNode>; typeParameters?: TS.NodeArray<TS.TypeParameterDeclaration> };
    if (generic.typeArguments && !ts.isTypeNode(n)) cutAngles(generic.typeArguments);
    if (generic.typeParameters && !ts.isTypeNode(n) && !ts.isTypeAliasDeclaration(n) && !ts.isInterfaceDeclaration(n)) cutAngles(generic.typeParameters);
    n.forEachChild((child) => {
      // Types are cut whole: nothing inside them needs visiting.
      if (ts.isTypeNode(child) && child !== (n as { expression?: TS.Node }).expression) return;
      visit(child);
    });
  };
  visit(node);
  return cuts;
}

/** `text[from, to)` with the cuts (absolute positions, any order, possibly nested) taken out. */
export function applyCuts(text: string, from: number, to: number, cuts: readonly Cut[]): string {
  const sorted = cuts.filter(([s, e]) => e > from && s < to).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = "";
  let at = from;
  for (const [start, end] of sorted) {
    if (end <= at) continue; // inside a cut already taken
    if (start > at) out += text.slice(at, start);
    at = Math.max(at, end);
  }
  return out + text.slice(at, to);
}

/** True when position `at` lies inside one of the cuts (an identifier there is only a type). */
export function isCut(cuts: readonly Cut[], at: number): boolean {
  return cuts.some(([start, end]) => at >= start && at < end);
}
