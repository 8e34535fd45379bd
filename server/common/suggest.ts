// "Did you mean" suggestions: the known names closest to a misspelt one by edit distance.
// Pure string code shared by the checker and the CLI.

/** Levenshtein distance, with an early exit once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length] as number;
}

/** Up to `limit` candidates within a distance of a third of the name's length (at least 2), closest first. */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const max = Math.max(2, Math.floor(name.length / 3));
  const scored: Array<[string, number]> = [];
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase(), max);
    if (d <= max) scored.push([c, d]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, limit)
    .map(([c]) => c);
}
