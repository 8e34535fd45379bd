// JSON Lines with positions: one JsonDoc per non-blank line, remembering its 0-based line number, so readers
// report `file:line` and the checker places diagnostics. Pure string code; never throws on user input.
import { JsonDoc } from './json';
import { rowText } from './rows';

export interface JsonlRecord {
  /** 0-based line number in the file. */
  readonly line: number;
  readonly doc: JsonDoc;
}

/** The non-blank lines of a JSONL text, each parsed on its own (a broken line hides nothing else). */
export function parseJsonl(text: string): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  let line = 0;
  for (let from = 0; from <= text.length; line++) {
    let nl = text.indexOf('\n', from);
    if (nl === -1) nl = text.length;
    const raw = rowText(text.slice(from, nl));
    if (raw.trim() !== '') out.push({ line, doc: new JsonDoc(raw) });
    from = nl + 1;
  }
  return out;
}
