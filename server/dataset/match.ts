// Text matching the checks share: case-insensitive phrase search on word boundaries, and the
// normal form used to compare answers, aliases and entity names. Pure string code.

/** Remembered normal forms of short strings: datasets repeat entity names and answers thousands of times. */
const normalized = new Map<string, string>();
const MAX_REMEMBERED = 100_000;
/** Longer strings (questions, facts) rarely repeat; remembering them would only evict names. */
const MAX_REMEMBERED_LENGTH = 64;

/** Lower case, trimmed, inner whitespace collapsed: the form names and answers are compared in. */
export function normalize(s: string): string {
  if (s.length > MAX_REMEMBERED_LENGTH) return s.trim().replace(/\s+/g, ' ').toLowerCase();
  let n = normalized.get(s);
  if (n === undefined) {
    n = s.trim().replace(/\s+/g, ' ').toLowerCase();
    if (normalized.size >= MAX_REMEMBERED) normalized.clear();
    normalized.set(s, n);
  }
  return n;
}

const WORD = /[\p{L}\p{N}_]/u;

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD.test(ch);
}

/**
 * Where `phrase` occurs in `text` case-insensitively, not inside a longer word: returns the offset or -1.
 * The boundary test applies only at edges where the phrase itself starts or ends with a word character.
 */
export function findPhrase(text: string, phrase: string): number {
  const needle = phrase.trim().toLowerCase();
  if (needle === '') return -1;
  const hay = text.toLowerCase();
  // Lower-casing can change lengths for a few characters; fall back to exact search then.
  const same = hay.length === text.length;
  const h = same ? hay : text;
  const n = same ? needle : phrase.trim();
  const startWord = isWordChar(n[0]);
  const endWord = isWordChar(n[n.length - 1]);
  for (let i = h.indexOf(n); i !== -1; i = h.indexOf(n, i + 1)) {
    if (startWord && isWordChar(h[i - 1])) continue;
    if (endWord && isWordChar(h[i + n.length])) continue;
    return i;
  }
  return -1;
}

export function containsPhrase(text: string, phrase: string): boolean {
  return findPhrase(text, phrase) !== -1;
}
