// Edit instances about new people, split like Controlled RippleEdit: in-domain splits link non-reserved
// entities and ask in-domain propagation paths; OOD-entity splits link only reserved entities; OOD-relation
// splits ask only held-out relations; OOD-both does both. Also allocates people's names. Pure: no IO.
import type { Rng } from '../common/random';
import { WORLD_SPLITS, type WorldSplit } from '../dataset/splits';
import { follow, type Kb, statement } from './kb';
import { containsPhrase } from './phrase';
import { fill, isOodPath, PATHS, PERSON_RELATION_RANGE, PERSON_RELATIONS, relation } from './schema';

/** The world's splits, in file order: the names are the dataset model's (server/dataset/splits.ts). */
export const SPLITS = WORLD_SPLITS;
export type SplitName = WorldSplit;

export interface SplitSizes {
  readonly train: number;
  readonly validation: number;
  /** Size of each of the four test splits. */
  readonly test: number;
}

export const DEFAULT_SPLIT_SIZES: SplitSizes = Object.freeze({ train: 4000, validation: 200, test: 200 });

const PLAN: Readonly<Record<SplitName, { entities: 'in' | 'ood'; relations: 'in' | 'ood' }>> = {
  train: { entities: 'in', relations: 'in' },
  validation: { entities: 'in', relations: 'in' },
  'test-in-domain': { entities: 'in', relations: 'in' },
  'test-ood-entity': { entities: 'ood', relations: 'in' },
  'test-ood-relation': { entities: 'in', relations: 'ood' },
  'test-ood-both': { entities: 'ood', relations: 'ood' },
};

export interface Question {
  readonly question: string;
  readonly answer: string;
  readonly path: readonly string[];
  readonly verbatim: boolean;
}

export interface LocalityQuestion {
  readonly question: string;
  readonly answer: string;
  readonly entity: string;
  readonly path: readonly string[];
}

export interface Instance {
  readonly id: string;
  readonly split: SplitName;
  readonly fact: string;
  readonly subject: string;
  readonly subject_type: 'person';
  readonly triples: ReadonlyArray<{ subject: string; relation: string; object: string }>;
  readonly propagation: readonly Question[];
  readonly locality: readonly LocalityQuestion[];
}

/** Known entities reserved for the OOD-entity splits: a fifth of the cities, companies and universities. */
export function reserveEntities(rng: Rng, kb: Kb): Set<string> {
  const reserved = new Set<string>();
  for (const type of ['city', 'company', 'university'] as const) {
    const list = kb.entities.get(type) ?? [];
    for (const e of rng.sample(list, Math.round(list.length / 5))) reserved.add(e);
  }
  return reserved;
}

/**
 * Names for reading-comprehension people and edit subjects: first-last combinations unused by known people,
 * reading people first (covering every first and last name so each word is trained), subjects never repeated.
 */
export function allocatePeople(
  rng: Rng,
  kb: Kb,
  reading: number,
  edits: number,
): { reading: string[]; edits: string[] } {
  const known = new Set(kb.entities.get('person') ?? []);
  const combos = rng.shuffle(
    kb.firstNames.flatMap((f) => kb.lastNames.map((l) => `${f} ${l}`)).filter((n) => !known.has(n)),
  );
  if (combos.length < reading + edits) {
    throw new Error(
      `only ${combos.length} new name combinations for ${reading} reading people and ${edits} edit subjects; enlarge the name pool`,
    );
  }
  const coveredFirst = new Set<string>();
  const coveredLast = new Set<string>();
  for (const p of known) {
    const [f, l] = p.split(' ') as [string, string];
    coveredFirst.add(f);
    coveredLast.add(l);
  }
  const readingPeople: string[] = [];
  const used = new Set<string>();
  // First pass: people that teach a name word the corpus has not used yet.
  for (const name of combos) {
    if (readingPeople.length >= reading) break;
    const [f, l] = name.split(' ') as [string, string];
    if (coveredFirst.has(f) && coveredLast.has(l)) continue;
    readingPeople.push(name);
    used.add(name);
    coveredFirst.add(f);
    coveredLast.add(l);
  }
  if (coveredFirst.size < kb.firstNames.length || coveredLast.size < kb.lastNames.length) {
    throw new Error('too few reading-comprehension examples to use every name word once; raise --reading');
  }
  for (const name of combos) {
    if (readingPeople.length >= reading) break;
    if (!used.has(name)) {
      readingPeople.push(name);
      used.add(name);
    }
  }
  const editPeople = combos.filter((n) => !used.has(n)).slice(0, edits);
  return { reading: readingPeople, edits: editPeople };
}

/** The sorted "relation=object" pairs of a fact: two facts with the same key link the same entities. */
export function combinationKey(links: ReadonlyArray<{ relation: string; object: string }>): string {
  return links
    .map((l) => `${l.relation}=${l.object}`)
    .sort()
    .join('|');
}

function linkCount(rng: Rng): number {
  const x = rng.next();
  return x < 0.2 ? 1 : x < 0.6 ? 2 : 3;
}

function localityQuestions(rng: Rng, kb: Kb, avoid: ReadonlySet<string>, count: number): LocalityQuestion[] {
  const candidates = [...kb.facts.keys()].filter((e) => !avoid.has(e));
  const out: LocalityQuestion[] = [];
  const asked = new Set<string>();
  while (out.length < count) {
    const entity = rng.pick(candidates);
    const own = kb.facts.get(entity) as ReadonlyMap<string, string>;
    const rel = rng.pick([...own.keys()]);
    const question = fill(relation(rel).question, entity);
    if (asked.has(question)) continue;
    asked.add(question);
    out.push({ question, answer: own.get(rel) as string, entity, path: [rel] });
  }
  return out;
}

/** One edit instance for `subject` in `split`. */
export function makeInstance(
  rng: Rng,
  kb: Kb,
  reserved: ReadonlySet<string>,
  split: SplitName,
  id: string,
  subject: string,
): Instance {
  const plan = PLAN[split];
  const relations = rng.sample(PERSON_RELATIONS, linkCount(rng));
  const ordered = PERSON_RELATIONS.filter((r) => relations.includes(r));
  const links = ordered.map((r) => {
    const pool = (kb.entities.get(PERSON_RELATION_RANGE[r]) ?? []).filter(
      (e) => (plan.entities === 'ood') === reserved.has(e),
    );
    return { relation: r as string, object: rng.pick(pool) };
  });
  const fact = links.map((l) => statement(subject, l.relation, l.object, rng.int(2))).join(' ');
  const propagation: Question[] = [];
  const touched = new Set<string>(links.map((l) => l.object));
  for (const link of links) {
    propagation.push({
      question: fill(relation(link.relation).question, subject),
      answer: link.object,
      path: [link.relation],
      verbatim: containsPhrase(fact, link.object),
    });
    const paths = PATHS.filter(
      (p) => p.path[0] === link.relation && isOodPath(p) === (plan.relations === 'ood'),
    );
    for (const p of rng.sample(paths, Math.min(2, paths.length))) {
      const answer = follow(kb, link.object, p.path.slice(1)) as string;
      for (let k = 1; k < p.path.length; k++)
        touched.add(follow(kb, link.object, p.path.slice(1, k + 1)) as string);
      propagation.push({
        question: fill(p.question, subject),
        answer,
        path: p.path,
        verbatim: containsPhrase(fact, answer),
      });
    }
  }
  const locality = localityQuestions(rng, kb, touched, 2 + rng.int(2));
  return {
    id,
    split,
    fact,
    subject,
    subject_type: 'person',
    triples: links.map((l) => ({ subject, relation: l.relation, object: l.object })),
    propagation,
    locality,
  };
}

export function splitCount(split: SplitName, sizes: SplitSizes): number {
  return split === 'train' ? sizes.train : split === 'validation' ? sizes.validation : sizes.test;
}

/** Every split's instances; subjects are taken from `subjects` in split order. */
export function makeSplits(
  rng: Rng,
  kb: Kb,
  reserved: ReadonlySet<string>,
  sizes: SplitSizes,
  subjects: readonly string[],
): Record<SplitName, Instance[]> {
  const out = {} as Record<SplitName, Instance[]>;
  let next = 0;
  for (const split of SPLITS) {
    const r = rng.fork(split);
    const count = splitCount(split, sizes);
    out[split] = Array.from({ length: count }, (_, i) => {
      const subject = subjects[next++];
      if (subject === undefined) throw new Error('ran out of edit subjects');
      return makeInstance(r, kb, reserved, split, `${split}-${String(i + 1).padStart(5, '0')}`, subject);
    });
  }
  return out;
}
