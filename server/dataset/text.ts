// Offsets to line/character positions, and splitting a file into lines with their offsets.
// Pure string code; characters are UTF-16 code units, as in JavaScript strings and LSP's default.
import type { Position, Range } from './positions';

/** Maps offsets of one text to positions; built once per text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - (this.starts[lo] as number) };
  }

  offsetAt(p: Position): number {
    const start = this.starts[Math.max(0, Math.min(p.line, this.starts.length - 1))] as number;
    return Math.min(start + Math.max(0, p.character), this.text.length);
  }

  rangeOf(offset: number, length: number): Range {
    return { start: this.positionAt(offset), end: this.positionAt(offset + length) };
  }
}

/** One line of a JSONL file: its text without the line break, and where it starts. */
export interface Line {
  readonly index: number;
  readonly offset: number;
  readonly text: string;
}

/** Splits on \n, dropping a \r before it; the last line may be empty. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let offset = 0;
  let index = 0;
  while (offset <= text.length) {
    let end = text.indexOf('\n', offset);
    if (end === -1) end = text.length;
    const raw = text.slice(offset, end);
    lines.push({ index, offset, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw });
    index++;
    offset = end + 1;
  }
  return lines;
}

/** The whole text as one range. */
export function fullRange(text: string): Range {
  return new LineIndex(text).rangeOf(0, text.length);
}
