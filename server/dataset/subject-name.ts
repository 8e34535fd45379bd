// Recovering the subject's name from a RippleEdits record, which stores only Wikidata ids: the edit prompt
// is a relation template filled with the subject and the target, and the queries repeat the subject's name.
// Pure string heuristics; see README "formats" for the method and its limits.

/** Template words that may sit next to the subject in a prompt but are not part of a name. */
const EDGE_WORDS = new Set([
  'of',
  'is',
  'are',
  'was',
  'were',
  'which',
  'in',
  'the',
  'a',
  'an',
  'with',
  'by',
  'to',
  'for',
  'on',
  'at',
  'and',
  'from',
  'that',
  'follows',
  'followed',
  'associated',
  'part',
]);

interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(/\S+/g)) {
    const start = m.index ?? 0;
    out.push({ text: m[0], start, end: start + m[0].length });
  }
  return out;
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Splits a text into pieces: maximal runs of letters and digits, and every other UTF-16 unit alone, as
 * integer ids from `ids`. A phrase that starts and ends on word boundaries occurs in a text with no letter
 * or digit glued to either end exactly when its pieces occur contiguously among the text's pieces.
 */
function pieces(text: string, ids: Map<string, number>): { seq: number[]; starts: number[] } {
  const seq: number[] = [];
  const starts: number[] = [];
  const push = (piece: string, at: number) => {
    let id = ids.get(piece);
    if (id === undefined) {
      id = ids.size;
      ids.set(piece, id);
    }
    seq.push(id);
    starts.push(at);
  };
  let i = 0;
  while (i < text.length) {
    if (LETTER_OR_DIGIT.test(text[i] as string)) {
      let j = i + 1;
      while (j < text.length && LETTER_OR_DIGIT.test(text[j] as string)) j++;
      push(text.slice(i, j), i);
      i = j;
    } else {
      push(text[i] as string, i);
      i++;
    }
  }
  return { seq, starts };
}

/** Suffix automaton of a piece sequence (linear size and build time): answers "does this run occur". */
class SuffixAutomaton {
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly link: number[] = [-1];
  private readonly len: number[] = [0];

  constructor(seq: readonly number[]) {
    let last = 0;
    for (const c of seq) {
      const cur = this.add(this.len[last] as number);
      let p = last;
      while (p !== -1 && !(this.next[p] as Map<number, number>).has(c)) {
        (this.next[p] as Map<number, number>).set(c, cur);
        p = this.link[p] as number;
      }
      if (p === -1) this.link[cur] = 0;
      else {
        const q = (this.next[p] as Map<number, number>).get(c) as number;
        if (this.len[p] === (this.len[q] as number) - 1) this.link[cur] = q;
        else {
          const clone = this.add((this.len[p] as number) + 1);
          this.next[clone] = new Map(this.next[q]);
          this.link[clone] = this.link[q] as number;
          while (p !== -1 && (this.next[p] as Map<number, number>).get(c) === q) {
            (this.next[p] as Map<number, number>).set(c, clone);
            p = this.link[p] as number;
          }
          this.link[q] = clone;
          this.link[cur] = clone;
        }
      }
      last = cur;
    }
  }

  private add(len: number): number {
    this.next.push(new Map());
    this.link.push(-1);
    this.len.push(len);
    return this.len.length - 1;
  }

  /** For each end e (1..n) of `seq`, the length of the longest run ending there that occurs (index e). */
  matchingLengths(seq: readonly number[]): Int32Array {
    const out = new Int32Array(seq.length + 1);
    let state = 0;
    let length = 0;
    for (let e = 0; e < seq.length; e++) {
      const c = seq[e] as number;
      while (state !== 0 && !(this.next[state] as Map<number, number>).has(c)) {
        state = this.link[state] as number;
        length = this.len[state] as number;
      }
      const to = (this.next[state] as Map<number, number>).get(c);
      if (to === undefined) length = 0;
      else {
        state = to;
        length++;
      }
      out[e + 1] = length;
    }
    return out;
  }
}

function isCapitalised(word: string): boolean {
  return /^[\p{Lu}\p{N}]/u.test(word);
}

/** A word a candidate name may start with: not lower case and not a template word. */
function canStart(word: string): boolean {
  return !/^\p{Ll}/u.test(word) && !EDGE_WORDS.has(word.toLowerCase());
}

/** A word a candidate name may end with: not a template word (ignoring a trailing comma or full stop). */
function canEnd(word: string): boolean {
  return !EDGE_WORDS.has(word.replace(/[,.]$/, '').toLowerCase());
}

/** The span of `prompt` that differs from an alias prompt with the same template, by common word prefix and suffix. */
function differingSpan(prompt: Token[], alias: Token[]): [number, number] | undefined {
  let p = 0;
  while (p < prompt.length && p < alias.length && prompt[p]?.text === alias[p]?.text) p++;
  let s = 0;
  while (
    s < prompt.length - p &&
    s < alias.length - p &&
    prompt[prompt.length - 1 - s]?.text === alias[alias.length - 1 - s]?.text
  )
    s++;
  if (p + s >= prompt.length) return undefined;
  return [p, prompt.length - s];
}

export interface SubjectGuess {
  readonly name: string;
  /** How it was found, kept in the converted line's meta. */
  readonly method: 'queries' | 'aliasing' | 'template';
}

/**
 * Guesses the subject's name in `fact` (the edit prompt with the target removed):
 * the longest run of words shared with every other query about the same subject, trimmed of template
 * words, that covers the part where Subject_Aliasing prompts differ; ties go to more capitalised words, then
 * to the earliest span.
 * Linear in the lengths of the texts: a candidate is a word span [a, b) that starts and ends on words a name
 * may start and end with; "occurs in every query" shrinks as the span grows (a part of an occurring phrase
 * occurs), so for each end b the best start is the first allowed one at or after the smallest start whose
 * phrase still occurs, which matching lengths over each query's suffix automaton give in one pass.
 */
export function guessSubject(
  fact: string,
  sameSubjectPrompts: readonly string[],
  aliasPrompts: readonly string[],
): SubjectGuess | undefined {
  const words = tokens(fact);
  const n = words.length;
  let mustStart = n; // the span must start at or before every alias-differing part...
  let mustEnd = 0; // ...and end at or after it
  for (const alias of aliasPrompts) {
    const span = differingSpan(words, tokens(alias));
    if (!span) continue;
    mustStart = Math.min(mustStart, span[0]);
    mustEnd = Math.max(mustEnd, span[1]);
  }
  // Piece index where each word starts, and where its phrase ends (a final comma is not part of a name).
  const ids = new Map<string, number>();
  const factPieces = pieces(fact, ids);
  const pieceAt = new Map<number, number>();
  factPieces.starts.forEach((at, k) => {
    pieceAt.set(at, k);
  });
  const pieceStart = words.map((w) => pieceAt.get(w.start) as number);
  const pieceEnd = words.map((w) => {
    const end = w.text.endsWith(',') ? w.end - 1 : w.end;
    const k = pieceAt.get(end);
    return k === undefined ? factPieces.seq.length : k;
  });
  // Longest run of pieces ending at each piece boundary that occurs in every same-subject prompt.
  let occurs: Int32Array | undefined;
  for (const prompt of sameSubjectPrompts) {
    const lengths = new SuffixAutomaton(pieces(prompt, ids).seq).matchingLengths(factPieces.seq);
    if (!occurs) occurs = lengths;
    else
      for (let e = 0; e < lengths.length; e++)
        occurs[e] = Math.min(occurs[e] as number, lengths[e] as number);
  }
  // nextStart[a]: the first word at or after a that a name may start with (n when none).
  const nextStart = new Int32Array(n + 1).fill(n);
  for (let a = n - 1; a >= 0; a--)
    nextStart[a] = canStart((words[a] as Token).text) ? a : (nextStart[a + 1] as number);
  const capitalsBefore = new Int32Array(n + 1);
  for (let k = 0; k < n; k++)
    capitalsBefore[k + 1] = (capitalsBefore[k] as number) + (isCapitalised((words[k] as Token).text) ? 1 : 0);
  let best: { a: number; b: number; capitals: number } | undefined;
  let low = 0; // smallest start whose phrase occurs, for the current end (never decreases)
  for (let b = Math.max(1, mustEnd); b <= n; b++) {
    if (!canEnd((words[b - 1] as Token).text)) continue;
    const end = pieceEnd[b - 1] as number;
    if (occurs) {
      const longest = occurs[end] as number;
      while (low < b && end - (pieceStart[low] as number) > longest) low++;
    }
    const a = nextStart[low] as number;
    if (a >= b || a > mustStart) continue;
    const capitals = (capitalsBefore[b] as number) - (capitalsBefore[a] as number);
    if (
      !best ||
      capitals > best.capitals ||
      (capitals === best.capitals && (b - a > best.b - best.a || (b - a === best.b - best.a && a < best.a)))
    )
      best = { a, b, capitals };
  }
  if (!best) return undefined;
  const name = fact
    .slice((words[best.a] as Token).start, (words[best.b - 1] as Token).end)
    .replace(/[,]$/, '');
  const method = sameSubjectPrompts.length > 0 ? 'queries' : mustEnd > 0 ? 'aliasing' : 'template';
  return { name, method };
}
