// The shape of the synthetic world: its entity types, its relations with surface templates (statements and
// the one-hop question), and the propagation paths from a person with their question templates.
// Frozen tables only; generation is in kb.ts, corpus.ts and instances.ts.

export const ENTITY_TYPES = [
  'continent',
  'country',
  'city',
  'language',
  'language_family',
  'script',
  'currency',
  'climate',
  'river',
  'industry',
  'sector',
  'company',
  'university',
  'person',
  'year',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const TYPE_DESCRIPTIONS: Readonly<Record<EntityType, string>> = {
  continent: 'A continent of the invented world',
  country: 'A country; it lies on one continent and has one capital',
  city: 'A city; it lies in one country',
  language: 'A language spoken as the official language of countries',
  language_family: 'A family of related languages',
  script: 'A writing system',
  currency: 'A currency used by countries',
  climate: 'A climate zone',
  river: 'A river flowing through cities',
  industry: 'An industry companies work in',
  sector: 'An economic sector grouping industries',
  company: 'A company with a headquarters city',
  university: 'A university in a city',
  person: 'A known person; edit instances are about new people who are not in the KB',
  year: 'A calendar year (literal)',
};

export interface RelationSpec {
  readonly name: string;
  readonly domain: EntityType;
  readonly range: EntityType;
  readonly description: string;
  /** Surface forms of a fact; {subject} and {object} are replaced. The first one is the KB's statement. */
  readonly statements: readonly string[];
  /** The one-hop question about {subject}. */
  readonly question: string;
}

export const RELATIONS: readonly RelationSpec[] = Object.freeze([
  {
    name: 'country_continent',
    domain: 'country',
    range: 'continent',
    description: 'The continent a country lies on',
    statements: ['{subject} is a country in {object}.', '{subject} lies in {object}.'],
    question: 'Which continent is {subject} in?',
  },
  {
    name: 'capital',
    domain: 'country',
    range: 'city',
    description: 'The capital city of a country',
    statements: ['The capital of {subject} is {object}.', '{object} is the capital of {subject}.'],
    question: 'What is the capital of {subject}?',
  },
  {
    name: 'official_language',
    domain: 'country',
    range: 'language',
    description: 'The official language of a country',
    statements: ['The official language of {subject} is {object}.', 'People in {subject} speak {object}.'],
    question: 'What language is spoken in {subject}?',
  },
  {
    name: 'currency',
    domain: 'country',
    range: 'currency',
    description: 'The currency of a country',
    statements: ['The currency of {subject} is the {object}.', 'In {subject} people pay with the {object}.'],
    question: 'What is the currency of {subject}?',
  },
  {
    name: 'city_country',
    domain: 'city',
    range: 'country',
    description: 'The country a city lies in',
    statements: ['{subject} is a city in {object}.', '{subject} is located in {object}.'],
    question: 'Which country is {subject} in?',
  },
  {
    name: 'city_climate',
    domain: 'city',
    range: 'climate',
    description: 'The climate of a city',
    statements: ['{subject} has a {object} climate.', 'The climate of {subject} is {object}.'],
    question: 'What is the climate of {subject}?',
  },
  {
    name: 'city_river',
    domain: 'city',
    range: 'river',
    description: 'The river that flows through a city',
    statements: ['The {object} flows through {subject}.', '{subject} lies on the {object}.'],
    question: 'Which river flows through {subject}?',
  },
  {
    name: 'language_family',
    domain: 'language',
    range: 'language_family',
    description: 'The family a language belongs to',
    statements: [
      '{subject} belongs to the {object} family.',
      '{subject} is a language of the {object} family.',
    ],
    question: 'Which family does {subject} belong to?',
  },
  {
    name: 'language_script',
    domain: 'language',
    range: 'script',
    description: 'The script a language is written in',
    statements: ['{subject} is written in the {object} script.', '{subject} uses the {object} script.'],
    question: 'Which script is {subject} written in?',
  },
  {
    name: 'industry_sector',
    domain: 'industry',
    range: 'sector',
    description: 'The economic sector an industry belongs to',
    statements: ['The {subject} industry is part of the {object} sector.'],
    question: 'Which sector does the {subject} industry belong to?',
  },
  {
    name: 'headquarters',
    domain: 'company',
    range: 'city',
    description: 'The city a company is headquartered in',
    statements: ['{subject} is headquartered in {object}.', 'The headquarters of {subject} are in {object}.'],
    question: 'Where is {subject} headquartered?',
  },
  {
    name: 'company_industry',
    domain: 'company',
    range: 'industry',
    description: 'The industry a company works in',
    statements: ['{subject} is a {object} company.', '{subject} works in the {object} industry.'],
    question: 'Which industry is {subject} in?',
  },
  {
    name: 'company_founded',
    domain: 'company',
    range: 'year',
    description: 'The year a company was founded',
    statements: ['{subject} was founded in {object}.', '{subject} has existed since {object}.'],
    question: 'When was {subject} founded?',
  },
  {
    name: 'university_city',
    domain: 'university',
    range: 'city',
    description: 'The city a university is in',
    statements: ['{subject} is located in {object}.', '{subject} is a university in {object}.'],
    question: 'Where is {subject} located?',
  },
  {
    name: 'university_founded',
    domain: 'university',
    range: 'year',
    description: 'The year a university was founded',
    statements: ['{subject} was founded in {object}.', '{subject} opened in {object}.'],
    question: 'When was {subject} founded?',
  },
  {
    name: 'birth_city',
    domain: 'person',
    range: 'city',
    description: 'The city a person was born in',
    statements: ['{subject} was born in {object}.', '{subject} is a native of {object}.'],
    question: 'Where was {subject} born?',
  },
  {
    name: 'employer',
    domain: 'person',
    range: 'company',
    description: 'The company a person works for',
    statements: ['{subject} works for {object}.', '{subject} is employed by {object}.'],
    question: 'Who does {subject} work for?',
  },
  {
    name: 'alma_mater',
    domain: 'person',
    range: 'university',
    description: 'The university a person studied at',
    statements: ['{subject} studied at {object}.', '{subject} graduated from {object}.'],
    question: 'Where did {subject} study?',
  },
] satisfies RelationSpec[]);

export type RelationName = (typeof RELATIONS)[number]['name'];

export function relation(name: string): RelationSpec {
  const r = RELATIONS.find((x) => x.name === name);
  if (!r) throw new Error(`unknown world relation ${name}`);
  return r;
}

/** The relations an edit can assert about a new person (the first hop of every propagation path). */
export const PERSON_RELATIONS = ['birth_city', 'employer', 'alma_mater'] as const;
export type PersonRelation = (typeof PERSON_RELATIONS)[number];

/** The entity type each person relation links to. */
export const PERSON_RELATION_RANGE: Readonly<Record<PersonRelation, 'city' | 'company' | 'university'>> = {
  birth_city: 'city',
  employer: 'company',
  alma_mater: 'university',
};

export interface PathSpec {
  /** Relation names from the person: the first is a person relation. */
  readonly path: readonly string[];
  /** Question about {subject}, asked of known people in the corpus and of new people after an edit. */
  readonly question: string;
}

/** Multi-hop questions from a person through the entity a fact links them to. */
export const PATHS: readonly PathSpec[] = Object.freeze([
  { path: ['birth_city', 'city_country'], question: 'In which country was {subject} born?' },
  {
    path: ['birth_city', 'city_climate'],
    question: 'What is the climate of the city where {subject} was born?',
  },
  {
    path: ['birth_city', 'city_river'],
    question: 'Which river flows through the city where {subject} was born?',
  },
  {
    path: ['birth_city', 'city_country', 'official_language'],
    question: 'What language is spoken in the country where {subject} was born?',
  },
  {
    path: ['birth_city', 'city_country', 'currency'],
    question: 'What is the currency of the country where {subject} was born?',
  },
  {
    path: ['birth_city', 'city_country', 'country_continent'],
    question: 'On which continent was {subject} born?',
  },
  {
    path: ['employer', 'headquarters'],
    question: 'In which city is the company {subject} works for headquartered?',
  },
  { path: ['employer', 'company_industry'], question: 'In which industry does {subject} work?' },
  { path: ['employer', 'company_founded'], question: 'When was the company {subject} works for founded?' },
  {
    path: ['employer', 'headquarters', 'city_country'],
    question: 'In which country is the company {subject} works for headquartered?',
  },
  {
    path: ['employer', 'company_industry', 'industry_sector'],
    question: 'Which sector does the company {subject} works for belong to?',
  },
  { path: ['alma_mater', 'university_city'], question: 'In which city did {subject} study?' },
  {
    path: ['alma_mater', 'university_founded'],
    question: 'When was the university {subject} attended founded?',
  },
  {
    path: ['alma_mater', 'university_city', 'city_country'],
    question: 'In which country did {subject} study?',
  },
] satisfies PathSpec[]);

/**
 * Relations held out of every training instance's propagation paths (after the first hop): the
 * test-ood-relation and test-ood-both splits ask only about these. Their facts stay in the corpus.
 */
export const OOD_RELATIONS: readonly string[] = Object.freeze([
  'city_climate',
  'company_founded',
  'university_founded',
]);

export function isOodPath(p: PathSpec): boolean {
  return p.path.slice(1).some((r) => OOD_RELATIONS.includes(r));
}

export function fill(template: string, subject: string, object = ''): string {
  return template.replaceAll('{subject}', subject).replaceAll('{object}', object);
}
