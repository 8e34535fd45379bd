// Builds a whole world folder from a seed: the KB, the corpus, the edit splits, the tokenizer and a manifest
// with every count. Same seed and sizes give byte-identical files. The only module here that writes files.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../common/atomic';
import { Rng } from '../common/random';
import { type CorpusLine, knowledgeLines, readingExamples } from './corpus';
import {
  allocatePeople,
  combinationKey,
  DEFAULT_SPLIT_SIZES,
  makeSplits,
  reserveEntities,
  SPLITS,
  type SplitName,
  type SplitSizes,
} from './instances';
import { allFacts, buildKb, DEFAULT_SIZES, kbJson, type WorldSizes } from './kb';
import { OOD_RELATIONS, RELATIONS } from './schema';
import {
  buildVocabulary,
  specialTokensMapJson,
  tokenizerConfigJson,
  tokenizerJson,
  words,
} from './tokenizer';

/** Bump when the same seed would produce different files. */
export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 1729;
/** Longest sequence the tokenizer declares (the tiny model's context). */
export const MODEL_MAX_LENGTH = 128;

export interface WorldOptions {
  readonly seed: number;
  readonly sizes: WorldSizes;
  readonly splits: SplitSizes;
  /** Reading-comprehension examples in the corpus. */
  readonly reading: number;
}

export const DEFAULT_WORLD: WorldOptions = Object.freeze({
  seed: DEFAULT_SEED,
  sizes: DEFAULT_SIZES,
  splits: DEFAULT_SPLIT_SIZES,
  reading: 4000,
});

export interface WorldSummary {
  readonly out: string;
  readonly seed: number;
  readonly entities: number;
  readonly facts: number;
  readonly relations: number;
  readonly corpusLines: number;
  readonly corpusTokens: number;
  readonly vocabSize: number;
  readonly instances: Record<SplitName, number>;
}

/** The command line that regenerates a world with these options (flags only where they differ from defaults). */
export function rebuildCommand(o: WorldOptions): string {
  const flags = [`--seed ${o.seed}`];
  if (o.splits.train !== DEFAULT_SPLIT_SIZES.train) flags.push(`--train ${o.splits.train}`);
  if (o.splits.validation !== DEFAULT_SPLIT_SIZES.validation)
    flags.push(`--validation ${o.splits.validation}`);
  if (o.splits.test !== DEFAULT_SPLIT_SIZES.test) flags.push(`--test ${o.splits.test}`);
  if (o.reading !== DEFAULT_WORLD.reading) flags.push(`--reading ${o.reading}`);
  if (o.sizes.knownPeople !== DEFAULT_SIZES.knownPeople) flags.push(`--known-people ${o.sizes.knownPeople}`);
  return `propmend world build --out DIR ${flags.join(' ')}`;
}

function jsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
}

/** Generates the world in memory, then writes it under `out` (files replaced atomically one by one). */
export function buildWorld(
  out: string,
  options: WorldOptions = DEFAULT_WORLD,
  log: (line: string) => void = () => {},
): WorldSummary {
  const rng = new Rng(options.seed);
  const kb = buildKb(rng.fork('kb'), options.sizes);
  const reserved = reserveEntities(rng.fork('reserve'), kb);
  const editCount = SPLITS.reduce(
    (n, s) =>
      n +
      (s === 'train'
        ? options.splits.train
        : s === 'validation'
          ? options.splits.validation
          : options.splits.test),
    0,
  );
  const people = allocatePeople(rng.fork('people'), kb, options.reading, editCount);
  const splits = makeSplits(rng.fork('splits'), kb, reserved, options.splits, people.edits);
  log(`world: ${kb.typeOf.size} entities, ${allFacts(kb).length} facts, ${editCount} edit instances`);

  const forbidden = new Set(SPLITS.flatMap((s) => splits[s].map((i) => combinationKey(i.triples))));
  const corpus: CorpusLine[] = [
    ...knowledgeLines(kb),
    ...readingExamples(rng.fork('reading'), kb, people.reading, forbidden),
  ];

  const texts: string[] = [...corpus.map((l) => l.text)];
  for (const s of SPLITS) {
    for (const i of splits[s]) {
      texts.push(i.fact);
      for (const q of [...i.propagation, ...i.locality]) texts.push(q.question, q.answer);
    }
  }
  for (const name of kb.typeOf.keys()) texts.push(name);
  const vocab = buildVocabulary(texts);
  const corpusTokens = corpus.reduce((n, l) => n + words(l.text).length + 2, 0);

  mkdirSync(join(out, 'splits'), { recursive: true });
  mkdirSync(join(out, 'tokenizer'), { recursive: true });
  writeJsonAtomic(join(out, 'world.kb.json'), kbJson(kb, `tiny-world (seed ${options.seed})`));
  writeFileAtomic(join(out, 'corpus.jsonl'), jsonl(corpus));
  for (const s of SPLITS) writeFileAtomic(join(out, 'splits', `${s}.ripple.jsonl`), jsonl(splits[s]));
  writeJsonAtomic(join(out, 'tokenizer', 'tokenizer.json'), tokenizerJson(vocab));
  writeJsonAtomic(
    join(out, 'tokenizer', 'tokenizer_config.json'),
    tokenizerConfigJson(vocab, MODEL_MAX_LENGTH),
  );
  writeJsonAtomic(join(out, 'tokenizer', 'special_tokens_map.json'), specialTokensMapJson());

  const kinds: Record<string, number> = {};
  for (const l of corpus) kinds[l.kind] = (kinds[l.kind] ?? 0) + 1;
  const perPath: Record<string, Record<string, number>> = {};
  for (const s of SPLITS) {
    const counts: Record<string, number> = {};
    for (const i of splits[s])
      for (const q of i.propagation) counts[q.path.join('/')] = (counts[q.path.join('/')] ?? 0) + 1;
    perPath[s] = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  const factsPerRelation = Object.fromEntries(
    RELATIONS.map((r) => [r.name, allFacts(kb).filter((f) => f.relation === r.name).length]),
  );
  const instances = Object.fromEntries(SPLITS.map((s) => [s, splits[s].length])) as Record<SplitName, number>;
  writeJsonAtomic(join(out, 'manifest.json'), {
    generator: 'propmend world build',
    generatorVersion: GENERATOR_VERSION,
    seed: options.seed,
    rebuild: rebuildCommand(options),
    options,
    entities: Object.fromEntries([...kb.entities].map(([t, list]) => [t, list.length])),
    factsPerRelation,
    reservedEntities: [...reserved].sort(),
    reservedRelations: OOD_RELATIONS,
    instances,
    propagationQuestionsPerPath: perPath,
    corpus: { lines: corpus.length, byKind: kinds, tokens: corpusTokens },
    tokenizer: { vocabSize: vocab.length, modelMaxLength: MODEL_MAX_LENGTH },
  });
  return {
    out,
    seed: options.seed,
    entities: kb.typeOf.size,
    facts: allFacts(kb).length,
    relations: RELATIONS.length,
    corpusLines: corpus.length,
    corpusTokens,
    vocabSize: vocab.length,
    instances,
  };
}
