// The subject-name heuristic of `propmend convert rippleedits`: the linear-time guess agrees with the plain
// definition (every word span, trimmed, checked against every query) on random small cases, and a prompt of
// 20,000 words converts (the old quadratic-span search took minutes at 4,000).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { convertRippleEdits } from '../../server/dataset/rippleedits';
import { guessSubject } from '../../server/dataset/subject-name';

const EDGE = new Set(['of', 'is', 'the', 'in', 'a', 'and', 'that', 'part', 'follows']);

/** The definition, by brute force over all spans: what guessSubject must return. */
function reference(fact: string, same: readonly string[], alias: readonly string[]): string | undefined {
  const words = [...fact.matchAll(/\S+/g)].map((m) => ({
    text: m[0],
    start: m.index ?? 0,
    end: (m.index ?? 0) + m[0].length,
  }));
  const glued = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
  const occurs = (text: string, phrase: string) => {
    for (let i = text.indexOf(phrase); i !== -1; i = text.indexOf(phrase, i + 1)) {
      if (glued(phrase[0]) && glued(text[i - 1])) continue;
      if (glued(phrase[phrase.length - 1]) && glued(text[i + phrase.length])) continue;
      return true;
    }
    return false;
  };
  const must: Array<[number, number]> = [];
  for (const a of alias) {
    const other = [...a.matchAll(/\S+/g)].map((m) => m[0]);
    let p = 0;
    while (p < words.length && p < other.length && words[p]?.text === other[p]) p++;
    let s = 0;
    while (
      s < words.length - p &&
      s < other.length - p &&
      words[words.length - 1 - s]?.text === other[other.length - 1 - s]
    )
      s++;
    if (p + s < words.length) must.push([p, words.length - s]);
  }
  let best: { name: string; score: [number, number] } | undefined;
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 1; j <= words.length; j++) {
      let a = i;
      let b = j;
      while (a < b && (/^\p{Ll}/u.test(words[a]?.text ?? '') || EDGE.has(words[a]?.text.toLowerCase() ?? '')))
        a++;
      while (b > a && EDGE.has(words[b - 1]?.text.replace(/[,.]$/, '').toLowerCase() ?? '')) b--;
      if (a === b || !must.every(([x, y]) => a <= x && y <= b)) continue;
      const name = fact.slice(words[a]?.start, words[b - 1]?.end).replace(/[,]$/, '');
      if (!same.every((q) => occurs(q, name))) continue;
      const capitals = words.slice(a, b).filter((w) => /^[\p{Lu}\p{N}]/u.test(w.text)).length;
      const score: [number, number] = [capitals, b - a];
      if (!best || score[0] > best.score[0] || (score[0] === best.score[0] && score[1] > best.score[1]))
        best = { name, score };
    }
  }
  return best?.name;
}

const word = fc.constantFrom(
  'Ann',
  'Lee',
  'of',
  'the',
  'Paris,',
  'is',
  'in',
  'X2',
  'a',
  'part',
  'Ann.',
  'b',
  'élan',
  ',',
);
const sentence = fc.array(word, { minLength: 1, maxLength: 9 }).map((w) => w.join(' '));
const around = fc.tuple(fc.constantFrom('', 'Q: ', '(', 'x'), fc.constantFrom('', '?', ')', 'y'));

test('the linear guess equals the brute-force definition on random prompts and queries', () => {
  fc.assert(
    fc.property(
      sentence,
      fc.array(fc.tuple(sentence, around, fc.nat(8), fc.nat(8)), { maxLength: 3 }),
      fc.array(sentence, { maxLength: 2 }),
      (fact, queries, alias) => {
        // Queries quote part of the fact (so names are found) inside other text.
        const words = fact.split(' ');
        const same = queries.map(([other, [pre, post], i, len]) => {
          const part = words.slice(i % words.length, (i % words.length) + 1 + (len % 4)).join(' ');
          return `${other} ${pre}${part}${post} ${other}`;
        });
        assert.equal(guessSubject(fact, same, alias)?.name, reference(fact, same, alias));
      },
    ),
    { seed: 42, numRuns: 3000 },
  );
});

test('a 20,000-word edit prompt converts and the subject is found', () => {
  const filler = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? `Word${i}` : 'of')).join(' ');
  const record = {
    example_type: 'popular',
    edit: {
      prompt: `The capital of ${filler} Zorblat is Qux.`,
      subject_id: 'Q1',
      relation: 'CAPITAL',
      target_id: 'Q2',
    },
    Logical_Generalization: [],
    Compositionality_I: [
      {
        test_queries: [
          {
            prompt: `The mayor of the capital of Zorblat is`,
            answers: [{ value: 'Ann', aliases: [] }],
            query_type: 'regular',
            subject_id: 'Q1',
            relation: 'CAPITAL',
            target_ids: ['Q3'],
          },
        ],
      },
    ],
  };
  const { instances } = convertRippleEdits([record]);
  assert.equal(instances[0]?.subject, 'Zorblat');
});
