// Deterministic invented names for the synthetic world: pronounceable words built from syllable tables,
// unique across the whole world so no name is ambiguous. Pure functions of the seeded stream.
import type { Rng } from '../common/random';

const ONSETS = [
  'b',
  'd',
  'f',
  'g',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'br',
  'dr',
  'kr',
  'tr',
  'st',
  'th',
  'sh',
  'gl',
  'pl',
  'h',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'o', 'ai', 'ea', 'io', 'ou'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 'th', 'nd', 'rk', 'x', 'm'];

/** Hands out unique capitalised names; `taken` may pre-reserve words (compared case-insensitively). */
export class NameForge {
  private readonly used = new Set<string>();

  constructor(
    private readonly rng: Rng,
    taken: Iterable<string> = [],
  ) {
    for (const t of taken) this.used.add(t.toLowerCase());
  }

  private syllable(first: boolean): string {
    const onset = this.rng.pick(ONSETS);
    const vowel = this.rng.pick(VOWELS);
    const coda = this.rng.pick(CODAS);
    return `${first || this.rng.next() < 0.8 ? onset : ''}${vowel}${coda}`;
  }

  /** A new single word of `min`..`max` syllables (optionally with a suffix), never handed out before. */
  word(min = 2, max = 3, suffix = ''): string {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const count = min + this.rng.int(max - min + 1);
      let w = '';
      for (let i = 0; i < count; i++) w += this.syllable(i === 0);
      w = `${w}${suffix}`;
      if (w.length < 4 || w.length > 11) continue;
      const name = w[0]?.toUpperCase() + w.slice(1);
      if (this.used.has(name.toLowerCase())) continue;
      this.used.add(name.toLowerCase());
      return name;
    }
    throw new Error('ran out of distinct invented names; reduce the world size');
  }

  /** `n` new words. */
  words(n: number, min = 2, max = 3, suffix = ''): string[] {
    return Array.from({ length: n }, () => this.word(min, max, suffix));
  }
}
