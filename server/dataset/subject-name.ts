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
  return [...text.matchAll(/\S+/g)].map((m) => ({
    text: m[0],
    start: m.index ?? 0,
    end: (m.index ?? 0) + m[0].length,
  }));
}

function isLetterOrDigit(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
}

/** `phrase` occurs in `text` with no letter or digit glued to either end. */
function occursIn(text: string, phrase: string): boolean {
  for (let i = text.indexOf(phrase); i !== -1; i = text.indexOf(phrase, i + 1)) {
    const before = text[i - 1];
    const after = text[i + phrase.length];
    if (
      (isLetterOrDigit(phrase[0]) && isLetterOrDigit(before)) ||
      (isLetterOrDigit(phrase[phrase.length - 1]) && isLetterOrDigit(after))
    )
      continue;
    return true;
  }
  return false;
}

function capitals(span: readonly Token[]): number {
  return span.filter((t) => /^[\p{Lu}\p{N}]/u.test(t.text)).length;
}

/** Drops leading lower-case words and trailing template words from a candidate span. */
function trim(span: Token[]): Token[] {
  let a = 0;
  let b = span.length;
  while (a < b && (/^\p{Ll}/u.test(span[a]?.text ?? '') || EDGE_WORDS.has(span[a]?.text.toLowerCase() ?? '')))
    a++;
  while (b > a && EDGE_WORDS.has(span[b - 1]?.text.replace(/[,.]$/, '').toLowerCase() ?? '')) b--;
  return span.slice(a, b);
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
 * words, that covers the part where Subject_Aliasing prompts differ; ties go to more capitalised words.
 */
export function guessSubject(
  fact: string,
  sameSubjectPrompts: readonly string[],
  aliasPrompts: readonly string[],
): SubjectGuess | undefined {
  const words = tokens(fact);
  const must = aliasPrompts
    .map((a) => differingSpan(words, tokens(a)))
    .filter((s): s is [number, number] => s !== undefined);
  let best: { span: Token[]; score: [number, number] } | undefined;
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 1; j <= words.length; j++) {
      const span = trim(words.slice(i, j));
      if (span.length === 0) continue;
      const first = words.indexOf(span[0] as Token);
      const last = words.indexOf(span[span.length - 1] as Token) + 1;
      if (!must.every(([a, b]) => first <= a && b <= last)) continue;
      const phrase = fact.slice(span[0]?.start, span[span.length - 1]?.end).replace(/[,]$/, '');
      if (!sameSubjectPrompts.every((q) => occursIn(q, phrase))) continue;
      const score: [number, number] = [capitals(span), span.length];
      if (!best || score[0] > best.score[0] || (score[0] === best.score[0] && score[1] > best.score[1]))
        best = { span, score };
    }
  }
  if (!best) return undefined;
  const name = fact.slice(best.span[0]?.start, best.span[best.span.length - 1]?.end).replace(/[,]$/, '');
  const method = sameSubjectPrompts.length > 0 ? 'queries' : must.length > 0 ? 'aliasing' : 'template';
  return { name, method };
}
