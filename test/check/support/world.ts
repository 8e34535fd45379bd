// Shared fixture pieces for the checker tests: a small KB (no markers) and helpers to assemble fixture
// files. Test data only; the checker and the shipped examples/ do not use it.

/** A KB with persons, cities, countries and companies; Nice has no known country on purpose. */
export const KB = String.raw`{
  "types": { "person": {}, "city": {}, "country": {}, "company": {}, "year": { "literal": true } },
  "relations": {
    "lives_in": { "domain": "person", "range": "city", "cardinality": "many-to-one" },
    "works_for": { "domain": "person", "range": "company", "cardinality": "many-to-one" },
    "located_in": { "domain": "city", "range": "country", "cardinality": "many-to-one" },
    "capital": { "domain": "country", "range": "city", "cardinality": "one-to-one" },
    "founded_in": { "domain": "company", "range": "year", "cardinality": "many-to-one" },
    "ceo": { "domain": "company", "range": "person", "cardinality": "one-to-one" }
  },
  "entities": {
    "Paris": { "type": "city", "aliases": ["City of Light"], "facts": { "located_in": "France" } },
    "Lyon": { "type": "city", "facts": { "located_in": "France" } },
    "Berlin": { "type": "city", "facts": { "located_in": "Germany" } },
    "Nice": { "type": "city" },
    "France": { "type": "country", "facts": { "capital": "Paris" } },
    "Germany": { "type": "country", "facts": { "capital": "Berlin" } },
    "Acme": { "type": "company", "facts": { "founded_in": "1990", "ceo": "Ann Lee" } },
    "Ann Lee": { "type": "person", "facts": { "lives_in": "Lyon" } }
  }
}
`;

/** Joins JSONL lines (each a fixture line with markers) into a file text with a final newline. */
export function jsonl(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** A clean instance about Bo Rand moving to Paris, with one 2-hop question; `id` varies it. */
export function boRand(id = 'a'): string {
  return `{"id":"${id}","fact":"Bo Rand lives in Paris.","subject":"Bo Rand","subject_type":"person","triples":[{"subject":"Bo Rand","relation":"lives_in","object":"Paris"}],"propagation":[{"question":"In which country does Bo Rand live?","answer":"France","path":["lives_in","located_in"],"verbatim":false}]}`;
}
