// KB file rules: unknown types and relations, unknown fact objects, domain/range mismatches, cardinality,
// alias collisions and duplicate keys (also across the KB files of one folder). Failing and passing fixtures.
import { test } from 'node:test';
import { checkDiagnostics } from './check-fixture';
import { KB } from './world';

const TYPES = `"types": { "person": {}, "city": {}, "country": {}, "year": { "literal": true } }`;
const RELATIONS = `"relations": {
    "born_in": { "domain": "person", "range": "city", "cardinality": "many-to-one" },
    "capital": { "domain": "country", "range": "city", "cardinality": "one-to-one" },
    "born_year": { "domain": "person", "range": "year", "cardinality": "many-to-one" }
  }`;

test('the shared test KB checks clean', async () => {
  await checkDiagnostics(KB);
});

test('unknown-type: entity types and relation domains/ranges', async () => {
  await checkDiagnostics(`//- /ws/k.kb.json
{
  ${TYPES},
  "relations": { "r": { "domain": ⟦"persn"⟧⟨error unknown-type: did you mean "person"⟩, "range": ⟦"town"⟧⟨error unknown-type⟩, "cardinality": "many-to-many" } },
  "entities": { "Rome": { "type": ⟦"citty"⟧⟨error unknown-type⟩ } }
}
`);
});

test('unknown-relation and unknown-entity in facts', async () => {
  await checkDiagnostics(`//- /ws/k.kb.json
{
  ${TYPES},
  ${RELATIONS},
  "entities": {
    "Rome": { "type": "city" },
    "Ada": { "type": "person", "facts": { ⟦"bornin"⟧⟨error unknown-relation: did you mean "born_in"⟩: "Rome", "born_year": "1815" } },
    "Bo": { "type": "person", "facts": { "born_in": ⟦"Rom"⟧⟨error unknown-entity: did you mean "Rome"⟩ } }
  }
}
`);
});

test('domain-mismatch: a fact whose subject or object has the wrong type', async () => {
  await checkDiagnostics(`//- /ws/k.kb.json
{
  ${TYPES},
  ${RELATIONS},
  "entities": {
    "Rome": { "type": "city" },
    "Italy": { "type": "country", "facts": { "capital": "Rome" } },
    "Ada": { "type": "person", "facts": { "born_in": ⟦"Italy"⟧⟨error domain-mismatch: expects a city⟩ } },
    "Milan": { "type": "city", "facts": { ⟦"born_in"⟧⟨error domain-mismatch: applies to a person⟩: "Rome" } }
  }
}
`);
});

test('cardinality: several objects of a to-one relation, an object shared under a one-to-one relation', async () => {
  await checkDiagnostics(`//- /ws/k.kb.json
{
  ${TYPES},
  ${RELATIONS},
  "entities": {
    "Rome": { "type": "city" },
    "Milan": { "type": "city" },
    "Italy": { "type": "country", "facts": { "capital": "Rome" } },
    "Rome2": { "type": "country", "facts": { "capital": ⟦"Rome"⟧⟨error cardinality: already the object of "Italy"⟩ } },
    "Ada": { "type": "person", "facts": { ⟦"born_in"⟧⟨error cardinality⟩: ["Rome", "Milan"] } }
  }
}
`);
  await checkDiagnostics(`//- /ws/k.kb.json
{
  ${TYPES},
  ${RELATIONS},
  "entities": {
    "Rome": { "type": "city" },
    "Ada": { "type": "person", "facts": { "born_in": ["Rome"] } },
    "Bo": { "type": "person", "facts": { "born_in": "Rome" } }
  }
}
`);
});

test('alias-collision: a name or alias naming two entities', async () => {
  await checkDiagnostics(`//- /ws/k.kb.json
{
  ${TYPES},
  "relations": {},
  "entities": {
    "Rome": { "type": "city", "aliases": ["Roma"] },
    ⟦"Roma"⟧⟨warning alias-collision: also names "Rome"⟩: { "type": "city", "aliases": ["Urbs", ⟦"urbs"⟧⟨warning alias-collision: listed twice⟩] },
    "Milan": { "type": "city", "aliases": [⟦"ROME"⟧⟨warning alias-collision: also names "Rome"⟩] }
  }
}
`);
});

test('duplicate-key: repeated JSON keys, and a name declared in two KB files of one folder', async () => {
  await checkDiagnostics(`//- /ws/a.kb.json
{
  ${TYPES},
  "relations": {},
  "entities": { "Rome": { "type": "city", ⟦"type"⟧⟨error duplicate-key⟩: "city" } }
}
//- /ws/b.kb.json
{
  "types": { ⟦"city"⟧⟨error duplicate-key: a.kb.json⟩: {} },
  "relations": {},
  "entities": { "Milan": { "type": "city" } }
}
`);
});
