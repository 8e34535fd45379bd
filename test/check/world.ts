// Test data: a small KB fixture file shared by the rule tests (people, cities, countries, companies, a
// literal year type). Plain text, placed at /ws/w.kb.json so every file under /ws/ is checked against it.

export const KB = `//- /ws/w.kb.json
{
  "types": { "person": {}, "city": {}, "country": {}, "company": {}, "year": { "literal": true } },
  "relations": {
    "born_in": { "domain": "person", "range": "city", "cardinality": "many-to-one" },
    "located_in": { "domain": "city", "range": "country", "cardinality": "many-to-one" },
    "capital": { "domain": "country", "range": "city", "cardinality": "one-to-one" },
    "works_for": { "domain": "person", "range": "company", "cardinality": "many-to-one" },
    "headquartered_in": { "domain": "company", "range": "city", "cardinality": "many-to-one" },
    "founded_in": { "domain": "company", "range": "year", "cardinality": "many-to-one" },
    "employs": { "domain": "company", "range": "person", "cardinality": "one-to-many" }
  },
  "entities": {
    "Paris": { "type": "city", "facts": { "located_in": "France" } },
    "Lyon": { "type": "city", "facts": { "located_in": "France" } },
    "Rome": { "type": "city", "facts": { "located_in": "Italy" } },
    "France": { "type": "country", "aliases": ["French Republic"], "facts": { "capital": "Paris" } },
    "Italy": { "type": "country", "facts": { "capital": "Rome" } },
    "Acme": { "type": "company", "facts": { "headquartered_in": "Lyon", "founded_in": "1990" } },
    "Ada Byron": { "type": "person", "facts": { "born_in": "Rome" } }
  }
}
`;
