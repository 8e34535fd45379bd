// Answer matching and baselines for evaluation: normalisation, exact match against an answer and its
// aliases, and the "chance" accuracy of always giving each group's most frequent answer.
// Pure functions over strings; no model here.

/** Lower-case, drop punctuation, collapse whitespace (the normalisation every accuracy we print uses). */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Exact match after normalisation against the answer or any alias. */
export function exactMatch(prediction: string, answer: string, aliases: readonly string[] = []): boolean {
  const p = normalizeAnswer(prediction);
  if (p === '') return false;
  return [answer, ...aliases].some((a) => normalizeAnswer(a) === p);
}

export interface GroupedAnswer {
  /** Group key, e.g. the relation path "birth_city/city_country". */
  readonly group: string;
  readonly answer: string;
  readonly aliases?: readonly string[];
}

/**
 * Accuracy of answering every question with the most frequent (normalised) answer of its group.
 * Ties break by the lexicographically smallest answer so the number is reproducible.
 */
export function majorityBaseline(items: readonly GroupedAnswer[]): number {
  if (items.length === 0) return 0;
  const counts = new Map<string, Map<string, number>>();
  for (const item of items) {
    const perGroup = counts.get(item.group) ?? new Map<string, number>();
    const key = normalizeAnswer(item.answer);
    perGroup.set(key, (perGroup.get(key) ?? 0) + 1);
    counts.set(item.group, perGroup);
  }
  const guess = new Map<string, string>();
  for (const [group, perGroup] of counts) {
    const best = [...perGroup].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] as [string, number];
    guess.set(group, best[0]);
  }
  const correct = items.filter((i) => exactMatch(guess.get(i.group) as string, i.answer, i.aliases)).length;
  return correct / items.length;
}
