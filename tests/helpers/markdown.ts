// Fenced code blocks of a Markdown page, with the words after the language as attributes, for
// the tests that run the README's and the tutorial's commands.
//
//   fencedBlocks("```ts file=use.ts\n…\n```")  ->  [{ lang: "ts", attrs: { file: "use.ts" }, body: "…\n", line: 1 }]

export interface Block {
  lang: string;
  attrs: Record<string, string | true>;
  body: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export function fencedBlocks(markdown: string): Block[] {
  const out: Block[] = [];
  const re = /^```(\S*)([^\n]*)\n([\s\S]*?)^```\s*$/gm;
  for (let m; (m = re.exec(markdown)); ) {
    const attrs: Record<string, string | true> = {};
    for (const word of m[2]!.trim().split(/\s+/).filter(Boolean)) {
      const [k, v] = word.split("=");
      attrs[k!] = v ?? true;
    }
    out.push({ lang: m[1]!, attrs, body: m[3]!, line: markdown.slice(0, m.index).split("\n").length });
  }
  return out;
}
