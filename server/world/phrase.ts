// Whole-word, case-insensitive phrase search for the world generator's `verbatim` labels; it must agree with
// the checker's verbatim-label rule (test/world/contract.test.ts compares them on every generated label).
// Kept here so server/world imports only server/common; world text is ASCII, so ASCII word characters suffice.

const WORD_CHAR = /[A-Za-z0-9_]/;

/** True when `phrase` occurs in `text`, ignoring case, not inside a longer word. */
export function containsPhrase(text: string, phrase: string): boolean {
  const needle = phrase.trim().toLowerCase();
  if (needle === '') return false;
  const hay = text.toLowerCase();
  const guardStart = WORD_CHAR.test(needle[0] as string);
  const guardEnd = WORD_CHAR.test(needle[needle.length - 1] as string);
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + 1)) {
    const before = hay[i - 1];
    const after = hay[i + needle.length];
    if (guardStart && before !== undefined && WORD_CHAR.test(before)) continue;
    if (guardEnd && after !== undefined && WORD_CHAR.test(after)) continue;
    return true;
  }
  return false;
}
