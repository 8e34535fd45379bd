// Generates the world's knowledge base from a seed: typed entities with invented names and one object per
// (entity, relation) fact, plus the pools of first and last names people are made of. Also renders the KB
// as a *.kb.json value. Pure: no IO.
import type { Rng } from '../common/random';
import { NameForge } from './names';
import { ENTITY_TYPES, type EntityType, fill, RELATIONS, relation, TYPE_DESCRIPTIONS } from './schema';

export interface WorldSizes {
  readonly continents: number;
  readonly countries: number;
  readonly citiesPerCountry: number;
  readonly languages: number;
  readonly languageFamilies: number;
  readonly scripts: number;
  readonly currencies: number;
  readonly rivers: number;
  readonly companies: number;
  readonly universities: number;
  readonly knownPeople: number;
  /** Size of the first-name and last-name pools; people are combinations of the two. */
  readonly namePool: number;
}

export const DEFAULT_SIZES: WorldSizes = Object.freeze({
  continents: 5,
  countries: 24,
  citiesPerCountry: 3,
  languages: 12,
  languageFamilies: 4,
  scripts: 5,
  currencies: 12,
  rivers: 24,
  companies: 40,
  universities: 24,
  knownPeople: 80,
  namePool: 110,
});

const CLIMATES = ['tropical', 'arid', 'temperate', 'polar', 'alpine'];
const INDUSTRIES = [
  'mining',
  'shipping',
  'software',
  'textiles',
  'farming',
  'banking',
  'energy',
  'publishing',
];
const SECTORS = ['primary', 'industrial', 'service'];

export interface Kb {
  /** Entity names per type, in generation order. */
  readonly entities: ReadonlyMap<EntityType, readonly string[]>;
  readonly typeOf: ReadonlyMap<string, EntityType>;
  /** facts.get(entity).get(relation) = object (every world relation is many-to-one or one-to-one). */
  readonly facts: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly firstNames: readonly string[];
  readonly lastNames: readonly string[];
}

/** Assigns each item one target so that every target is used when there are enough items. */
function spread(rng: Rng, items: readonly string[], targets: readonly string[]): Map<string, string> {
  const order = rng.shuffle(items);
  const pool = rng.shuffle(targets);
  const out = new Map<string, string>();
  order.forEach((item, i) => {
    out.set(item, i < pool.length ? (pool[i] as string) : rng.pick(targets));
  });
  return out;
}

export function buildKb(rng: Rng, sizes: WorldSizes): Kb {
  const forge = new NameForge(rng.fork('names'), [...CLIMATES, ...INDUSTRIES, ...SECTORS]);
  const entities = new Map<EntityType, string[]>();
  const add = (type: EntityType, names: string[]) => entities.set(type, names);
  add('continent', forge.words(sizes.continents, 3, 3));
  add('country', forge.words(sizes.countries, 2, 3));
  add('language', forge.words(sizes.languages, 1, 2, 'ic'));
  add('language_family', forge.words(sizes.languageFamilies, 2, 2));
  add('script', forge.words(sizes.scripts, 2, 2));
  add('currency', forge.words(sizes.currencies, 2, 2));
  add('climate', CLIMATES.slice());
  add(
    'river',
    forge.words(sizes.rivers, 2, 2).map((n) => `${n} River`),
  );
  add('industry', INDUSTRIES.slice());
  add('sector', SECTORS.slice());
  add('city', forge.words(sizes.countries * sizes.citiesPerCountry, 2, 3));
  add('company', forge.words(sizes.companies, 2, 3));
  add(
    'university',
    forge.words(sizes.universities, 2, 2).map((n) => `${n} University`),
  );
  const firstNames = forge.words(sizes.namePool, 2, 2);
  const lastNames = forge.words(sizes.namePool, 2, 3);
  const peopleRng = rng.fork('people');
  const people: string[] = [];
  const seen = new Set<string>();
  while (people.length < sizes.knownPeople) {
    const name = `${peopleRng.pick(firstNames)} ${peopleRng.pick(lastNames)}`;
    if (seen.has(name)) continue;
    seen.add(name);
    people.push(name);
  }
  add('person', people);

  const typeOf = new Map<string, EntityType>();
  for (const [type, names] of entities) for (const n of names) typeOf.set(n, type);
  const facts = new Map<string, Map<string, string>>();
  const set = (subject: string, rel: string, object: string) => {
    const own = facts.get(subject) ?? new Map<string, string>();
    own.set(rel, object);
    facts.set(subject, own);
  };
  const list = (t: EntityType) => entities.get(t) as string[];
  const r = rng.fork('facts');

  const countries = list('country');
  const cities = list('city');
  for (const [c, o] of spread(r, countries, list('continent'))) set(c, 'country_continent', o);
  for (const [c, o] of spread(r, countries, list('language'))) set(c, 'official_language', o);
  for (const [c, o] of spread(r, countries, list('currency'))) set(c, 'currency', o);
  countries.forEach((country, i) => {
    const own = cities.slice(i * sizes.citiesPerCountry, (i + 1) * sizes.citiesPerCountry);
    for (const city of own) set(city, 'city_country', country);
    set(country, 'capital', own[0] as string);
  });
  for (const [c, o] of spread(r, cities, list('climate'))) set(c, 'city_climate', o);
  for (const [c, o] of spread(r, cities, list('river'))) set(c, 'city_river', o);
  for (const [l, o] of spread(r, list('language'), list('language_family'))) set(l, 'language_family', o);
  for (const [l, o] of spread(r, list('language'), list('script'))) set(l, 'language_script', o);
  for (const [i, o] of spread(r, list('industry'), list('sector'))) set(i, 'industry_sector', o);
  for (const [c, o] of spread(r, list('company'), cities)) set(c, 'headquarters', o);
  for (const [c, o] of spread(r, list('company'), list('industry'))) set(c, 'company_industry', o);
  for (const c of list('company')) set(c, 'company_founded', String(1850 + r.int(166)));
  for (const [u, o] of spread(r, list('university'), cities)) set(u, 'university_city', o);
  for (const u of list('university')) set(u, 'university_founded', String(1700 + r.int(291)));
  for (const p of people) {
    set(p, 'birth_city', r.pick(cities));
    set(p, 'employer', r.pick(list('company')));
    set(p, 'alma_mater', r.pick(list('university')));
  }
  return { entities, typeOf, facts, firstNames, lastNames };
}

/** Follows a relation path from an entity through the KB's facts (undefined if a hop is missing). */
export function follow(kb: Kb, start: string, path: readonly string[]): string | undefined {
  let at: string | undefined = start;
  for (const rel of path) {
    if (at === undefined) return undefined;
    at = kb.facts.get(at)?.get(rel);
  }
  return at;
}

/** Every (subject, relation, object) fact, in entity order then relation-table order. */
export function allFacts(kb: Kb): Array<{ subject: string; relation: string; object: string }> {
  const out: Array<{ subject: string; relation: string; object: string }> = [];
  for (const type of ENTITY_TYPES) {
    for (const subject of kb.entities.get(type) ?? []) {
      const own = kb.facts.get(subject);
      if (!own) continue;
      for (const rel of RELATIONS) {
        const object = own.get(rel.name);
        if (object !== undefined) out.push({ subject, relation: rel.name, object });
      }
    }
  }
  return out;
}

/** The KB as a *.kb.json value (schemas/kb.schema.json). */
export function kbJson(kb: Kb, name: string): Record<string, unknown> {
  const types: Record<string, unknown> = {};
  for (const t of ENTITY_TYPES)
    types[t] =
      t === 'year'
        ? { description: TYPE_DESCRIPTIONS[t], literal: true }
        : { description: TYPE_DESCRIPTIONS[t] };
  const relations: Record<string, unknown> = {};
  for (const r of RELATIONS) {
    relations[r.name] = {
      domain: r.domain,
      range: r.range,
      cardinality: r.name === 'capital' ? 'one-to-one' : 'many-to-one',
      description: r.description,
      statement: r.statements[0],
      question: relation(r.name).question,
    };
  }
  const entities: Record<string, unknown> = {};
  for (const t of ENTITY_TYPES) {
    for (const e of kb.entities.get(t) ?? []) {
      const own = kb.facts.get(e);
      entities[e] = own
        ? {
            type: t,
            facts: Object.fromEntries(
              RELATIONS.filter((r) => own.has(r.name)).map((r) => [r.name, own.get(r.name)]),
            ),
          }
        : { type: t };
    }
  }
  return {
    name,
    description:
      'The invented world the embedded tiny model is pretrained on (generated by propmend world build).',
    types,
    relations,
    entities,
  };
}

/** A fact as one of its surface sentences. */
export function statement(subject: string, rel: string, object: string, variant: number): string {
  const spec = relation(rel);
  return fill(spec.statements[variant % spec.statements.length] as string, subject, object);
}
