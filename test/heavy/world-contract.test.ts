// Heavy ring: what other parts rely on in the committed world (assets/world), checked at full size: corpus
// lines in the pretraining/evaluation format, edit questions asked with the corpus' own templates, reading
// examples that never repeat an edit's links, lines that fit the tiny model's context, the manifest's count.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { loadTokenizer } from '../../server/common/tokenizer';
import { containsPhrase as checkerContainsPhrase } from '../../server/dataset/match';
import { readWorldQuestions } from '../../server/runtime/eval/world-eval';
import { readCorpus } from '../../server/runtime/train/corpus';
import { containsPhrase } from '../../server/world/phrase';
import { RELATIONS } from '../../server/world/schema';

const root = resolve(__dirname, '..', '..');
const ASSETS = join(root, 'assets', 'world');
const SPLIT_NAMES = [
  'train',
  'validation',
  'test-in-domain',
  'test-ood-entity',
  'test-ood-relation',
  'test-ood-both',
] as const;

interface CorpusRow {
  kind: string;
  text: string;
  prompt?: string;
  answer?: string;
}
interface Instance {
  subject: string;
  fact: string;
  triples: Array<{ relation: string; object: string }>;
  propagation: Array<{ question: string; answer: string; path: string[] }>;
  locality: Array<{ question: string; answer: string }>;
}
interface Kb {
  entities: Record<string, { type: string }>;
}

const jsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

const corpus = jsonl<CorpusRow>(join(ASSETS, 'corpus.jsonl'));
const splits = Object.fromEntries(
  SPLIT_NAMES.map((s) => [s, jsonl<Instance>(join(ASSETS, 'splits', `${s}.ripple.jsonl`))]),
) as Record<(typeof SPLIT_NAMES)[number], Instance[]>;
const instances = SPLIT_NAMES.flatMap((s) => splits[s]);
const kb = JSON.parse(readFileSync(join(ASSETS, 'world.kb.json'), 'utf8')) as Kb;
const manifest = JSON.parse(readFileSync(join(ASSETS, 'manifest.json'), 'utf8')) as {
  seed: number;
  rebuild: string;
  corpus: { lines: number; tokens: number; byKind: Record<string, number> };
  tokenizer: { vocabSize: number; modelMaxLength: number };
};
const knownPeople = Object.keys(kb.entities).filter((e) => kb.entities[e]?.type === 'person');

const combination = (links: ReadonlyArray<{ relation: string; object: string }>) =>
  links
    .map((l) => `${l.relation}=${l.object}`)
    .sort()
    .join('|');

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The (relation, object) links a fact sentence about `person` states, read back through the statement templates. */
function linksOf(person: string, fact: string): Array<{ relation: string; object: string }> {
  const sentences = fact.match(/[^.?]+[.]/g) ?? [];
  return sentences.map((sentence) => {
    for (const r of RELATIONS) {
      for (const template of r.statements) {
        const pattern = escapeRegExp(template)
          .replace('\\{subject\\}', escapeRegExp(person))
          .replace('\\{object\\}', '(.+)');
        const m = new RegExp(`^${pattern}$`).exec(sentence.trim());
        if (m) return { relation: r.name, object: m[1] as string };
      }
    }
    throw new Error(`no statement template reads "${sentence.trim()}"`);
  });
}

describe('world contract (assets/world)', () => {
  test('corpus lines: four kinds, QA text is prompt + space + answer, prompts end in a question mark', () => {
    const kinds = new Set(['fact', 'qa1', 'qa2', 'reading']);
    for (const row of corpus) {
      assert.ok(kinds.has(row.kind), `unknown kind ${row.kind}`);
      if (row.kind === 'fact') {
        assert.equal(row.prompt, undefined);
        continue;
      }
      assert.equal(row.text, `${row.prompt} ${row.answer}`);
      assert.ok(row.prompt?.endsWith('?'), row.prompt);
      assert.ok((row.answer ?? '').trim() !== '');
    }
    const counts: Record<string, number> = {};
    for (const row of corpus) counts[row.kind] = (counts[row.kind] ?? 0) + 1;
    assert.deepEqual(counts, manifest.corpus.byKind);
  });

  test('edit questions use the templates the corpus asks about known people', () => {
    const templates = new Set<string>();
    for (const row of corpus) {
      if (row.kind !== 'qa1' && row.kind !== 'qa2') continue;
      const person = knownPeople.find((p) => row.prompt?.includes(p));
      if (person) templates.add((row.prompt as string).replace(person, '{subject}'));
    }
    const missing = new Set<string>();
    for (const i of instances)
      for (const q of i.propagation) {
        const template = q.question.replace(i.subject, '{subject}');
        if (!templates.has(template)) missing.add(template);
      }
    assert.deepEqual([...missing], []);
  });

  test('reading examples: own people, and no link combination of any edit instance', () => {
    const editCombos = new Set(instances.map((i) => combination(i.triples)));
    const subjects = new Set(instances.map((i) => i.subject));
    const reading = corpus.filter((r) => r.kind === 'reading');
    assert.ok(reading.length > 0);
    for (const row of reading) {
      const prompt = row.prompt as string;
      const question = prompt.slice(prompt.lastIndexOf('. ') + 2);
      const fact = prompt.slice(0, prompt.length - question.length - 1);
      const person = fact.split(' ').slice(0, 2).join(' ');
      assert.ok(!subjects.has(person), `${person} is an edit subject`);
      assert.ok(!knownPeople.includes(person), `${person} is a known person`);
      assert.ok(question.includes(person), prompt);
      assert.ok(!editCombos.has(combination(linksOf(person, fact))), `"${fact}" repeats an edit instance`);
    }
  });

  test('edit facts read back to their triples, so the reading format is the edit format', () => {
    for (const i of instances) assert.equal(combination(linksOf(i.subject, i.fact)), combination(i.triples));
  });

  test('the generator phrase match agrees with the checker on world text and on random strings', () => {
    for (const i of instances.slice(0, 500))
      for (const q of [...i.propagation, ...i.locality]) {
        assert.equal(containsPhrase(i.fact, q.answer), checkerContainsPhrase(i.fact, q.answer));
        assert.equal(containsPhrase(q.question, q.answer), checkerContainsPhrase(q.question, q.answer));
      }
    const word = fc.stringMatching(/^[A-Za-z0-9_]{1,4}$/);
    const text = fc.array(fc.oneof(word, fc.constantFrom(' ', '. ', '?', ',', '-')), { maxLength: 12 });
    fc.assert(
      fc.property(text, fc.array(word, { minLength: 1, maxLength: 2 }), (parts, phraseWords) => {
        const t = parts.join('');
        const p = phraseWords.join(' ');
        return containsPhrase(t, p) === checkerContainsPhrase(t, p);
      }),
      { seed: 20261125, numRuns: 2000 },
    );
  });

  test('the manifest token count is what pretraining reads; every sequence fits the context', async () => {
    const tokenizer = await loadTokenizer(join(ASSETS, 'tokenizer'));
    assert.equal(tokenizer.vocabSize, manifest.tokenizer.vocabSize);
    const read = readCorpus(join(ASSETS, 'corpus.jsonl'), tokenizer);
    assert.equal(read.tokens, manifest.corpus.tokens);
    assert.equal(read.sequences.length, manifest.corpus.lines);
    const longest = Math.max(...read.sequences.map((s) => s.length));
    assert.ok(longest <= manifest.tokenizer.modelMaxLength, `a corpus line has ${longest} tokens`);
    for (const i of instances) {
      // BOS + fact + EOS is the edit's inner-loop text; BOS + question + answer + EOS the outer loss.
      assert.ok(tokenizer.encode(i.fact).length + 1 <= manifest.tokenizer.modelMaxLength, i.fact);
      for (const q of i.propagation) {
        const n = tokenizer.encode(`${q.question} ${q.answer}`).length + 1;
        assert.ok(n <= manifest.tokenizer.modelMaxLength, q.question);
      }
    }
  });

  test('every word of an edit subject is its own token in the corpus', () => {
    const corpusWords = new Set(corpus.flatMap((r) => r.text.match(/\w+/g) ?? []));
    const missing = [...new Set(instances.flatMap((i) => i.subject.split(' ')))].filter(
      (w) => !corpusWords.has(w),
    );
    assert.deepEqual(missing, []);
  });

  test('the quality gate reads the world: a qa1 per KB fact, a qa2 per known person and path', () => {
    const q = readWorldQuestions(ASSETS);
    assert.equal(q.oneHop.length, manifest.corpus.byKind.qa1);
    assert.equal(q.twoHopKnown.length, manifest.corpus.byKind.qa2);
    assert.equal(q.twoHopKnown.length % knownPeople.length, 0);
    for (const split of ['test-in-domain', 'test-ood-entity', 'test-ood-relation', 'test-ood-both'] as const)
      assert.equal(
        q.propagation[split].length,
        splits[split].reduce((n, i) => n + i.propagation.length, 0),
      );
  });
});
