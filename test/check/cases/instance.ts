// Fixture cases for instance-scope rules, keyed by diagnostic code: `fail` marks where the code fires,
// `pass` is the corrected file. Data only; test/check/instance-rules.test.ts runs them.
import type { Fixture } from '../support/fixture';
import { boRand, jsonl, KB } from '../support/world';

export interface Case {
  readonly fail: Fixture;
  readonly pass: Fixture;
}

/** A dataset file next to the shared KB. */
function withKb(...lines: string[]): Fixture {
  return {
    files: { 'world.kb.json': KB, 'data.ripple.jsonl': jsonl(...lines) },
    check: ['data.ripple.jsonl'],
  };
}

const head =
  '{"id":"a","fact":"Bo Rand lives in Paris.","subject":"Bo Rand","subject_type":"person","triples":[{"subject":"Bo Rand","relation":"lives_in","object":"Paris"}]';

export const CASES: Record<string, Case> = {
  'subject-not-in-fact': {
    fail: withKb(
      '{"id":"a","fact":"Bo lives in Paris.","subject":⟦"Bo Rand"⟧{error subject-not-in-fact},"subject_type":"person","triples":[{"subject":"Bo Rand","relation":"lives_in","object":"Paris"}],"propagation":[]}',
    ),
    pass: withKb(`${head},"propagation":[]}`),
  },
  'unknown-type': {
    fail: withKb(
      '{"id":"a","fact":"Bo Rand lives in Paris.","subject":"Bo Rand","subject_type":⟦"persn"⟧{error unknown-type},"triples":[{"subject":"Bo Rand","relation":"lives_in","object":"Paris"}],"propagation":[]}',
    ),
    pass: withKb(`${head},"propagation":[]}`),
  },
  'unknown-relation': {
    fail: {
      ...withKb(
        '{"id":"a","fact":"Bo Rand lives in Paris.","subject":"Bo Rand","subject_type":"person","triples":[{"subject":"Bo Rand","relation":⟦"live_in"⟧{error unknown-relation},"object":"Paris"}],"propagation":[{"question":"In which country does Bo Rand live?","answer":"France","path":["lives_in",⟦"locatd_in"⟧{error unknown-relation}],"verbatim":false}]}',
      ),
      messages: { 'unknown-relation': 'did you mean' },
    },
    pass: withKb(boRand()),
  },
  'unknown-entity': {
    fail: {
      ...withKb(
        `{"id":"a","fact":"Bo Rand lives in Pariss.","subject":"Bo Rand","subject_type":"person","triples":[{"subject":"Bo Rand","relation":"lives_in","object":⟦"Pariss"⟧{error unknown-entity}}],"propagation":[],"locality":[{"question":"What is the capital of Germany?","answer":"Berlin","entity":⟦"Germanyy"⟧{error unknown-entity},"path":["capital"]}]}`,
      ),
      messages: { 'unknown-entity': 'did you mean "' },
    },
    pass: withKb(
      `${head},"propagation":[],"locality":[{"question":"What is the capital of Germany?","answer":"Berlin","entity":"Germany","path":["capital"]}]}`,
    ),
  },
  'domain-mismatch': {
    fail: withKb(
      '{"id":"a","fact":"Bo Rand lives in France and Lyon.","subject":"Bo Rand","subject_type":"person","triples":[{"subject":"Bo Rand","relation":"lives_in","object":⟦"France"⟧{error domain-mismatch}},{"subject":"Bo Rand","relation":⟦"located_in"⟧{error domain-mismatch},"object":⟦"Lyon"⟧{error domain-mismatch}}],"propagation":[]}',
    ),
    pass: withKb(`${head},"propagation":[]}`),
  },
  cardinality: {
    fail: withKb(
      '{"id":"a","fact":"Bo Rand lives in Paris and in Lyon.","subject":"Bo Rand","subject_type":"person","triples":[{"subject":"Bo Rand","relation":"lives_in","object":"Paris"},{"subject":"Bo Rand","relation":"lives_in","object":⟦"Lyon"⟧{error cardinality}}],"propagation":[]}',
    ),
    pass: withKb(
      '{"id":"a","fact":"Bo Rand lives in Paris and works for Acme.","subject":"Bo Rand","subject_type":"person","triples":[{"subject":"Bo Rand","relation":"lives_in","object":"Paris"},{"subject":"Bo Rand","relation":"works_for","object":"Acme"}],"propagation":[]}',
    ),
  },
  'path-start': {
    fail: withKb(
      `${head},"propagation":[{"question":"Who runs the company Bo Rand works for?","answer":"Ann Lee","path":[⟦"works_for"⟧{error path-start},"ceo"],"verbatim":false}]}`,
    ),
    pass: withKb(boRand()),
  },
  'path-mismatch': {
    fail: withKb(
      `${head},"propagation":[{"question":"What is the capital of the city Bo Rand lives in?","answer":"Paris","aliases":["City of Light"],"path":["lives_in",⟦"capital"⟧{error path-mismatch}],"verbatim":true}]}`,
    ),
    pass: withKb(boRand()),
  },
  'answer-type': {
    // Nice has no known country, so only the type can be checked (answer-mismatch stays silent).
    fail: withKb(
      '{"id":"a","fact":"Bo Rand lives in Nice.","subject":"Bo Rand","subject_type":"person","triples":[{"subject":"Bo Rand","relation":"lives_in","object":"Nice"}],"propagation":[{"question":"In which country does Bo Rand live?","answer":⟦"Lyon"⟧{error answer-type},"path":["lives_in","located_in"],"verbatim":false}]}',
    ),
    pass: withKb(
      '{"id":"a","fact":"Bo Rand lives in Nice.","subject":"Bo Rand","subject_type":"person","triples":[{"subject":"Bo Rand","relation":"lives_in","object":"Nice"}],"propagation":[{"question":"In which country does Bo Rand live?","answer":"France","path":["lives_in","located_in"],"verbatim":false}]}',
    ),
  },
  'answer-mismatch': {
    fail: {
      ...withKb(
        `${head},"propagation":[{"question":"In which country does Bo Rand live?","answer":⟦"Germany"⟧{error answer-mismatch},"path":["lives_in","located_in"],"verbatim":false}]}`,
      ),
      messages: { 'answer-mismatch': 'leads to "France"' },
    },
    pass: withKb(boRand()),
  },
  'empty-answer': {
    fail: withKb(
      `${head},"propagation":[{"question":"In which country does Bo Rand live?","answer":⟦""⟧{error empty-answer},"path":["lives_in","located_in"],"verbatim":false},{"question":"Which country is Bo Rand's home?","answer":"France","aliases":["FR",⟦" "⟧{error empty-answer}],"path":["lives_in","located_in"],"verbatim":false}]}`,
    ),
    pass: withKb(
      `${head},"propagation":[{"question":"In which country does Bo Rand live?","answer":"France","path":["lives_in","located_in"],"verbatim":false},{"question":"Which country is Bo Rand's home?","answer":"France","aliases":["FR"],"path":["lives_in","located_in"],"verbatim":false}]}`,
    ),
  },
  'duplicate-alias': {
    fail: withKb(
      `${head},"propagation":[{"question":"In which country does Bo Rand live?","answer":"France","aliases":["Frankreich",⟦"france"⟧{warning duplicate-alias},⟦"FRANKREICH"⟧{warning duplicate-alias}],"path":["lives_in","located_in"],"verbatim":false}]}`,
    ),
    pass: withKb(
      `${head},"propagation":[{"question":"In which country does Bo Rand live?","answer":"France","aliases":["Frankreich"],"path":["lives_in","located_in"],"verbatim":false}]}`,
    ),
  },
  'missing-aliases': {
    fail: withKb(
      `${head},"propagation":[{"question":"Which city does Bo Rand live in?","answer":⟦"Paris"⟧{info missing-aliases},"path":["lives_in"],"verbatim":true}]}`,
    ),
    pass: withKb(
      `${head},"propagation":[{"question":"Which city does Bo Rand live in?","answer":"Paris","aliases":["City of Light"],"path":["lives_in"],"verbatim":true}]}`,
    ),
  },
  'answer-in-question': {
    fail: withKb(
      `${head},"propagation":[{"question":⟦"Does Bo Rand live in France, and which country is it?"⟧{error answer-in-question},"answer":"France","path":["lives_in","located_in"],"verbatim":false}],"locality":[{"question":⟦"Is Berlin the capital of Germany?"⟧{warning answer-in-question},"answer":"Berlin","entity":"Germany","path":["capital"]}]}`,
    ),
    // "Franceville" contains "France" but not on a word boundary.
    pass: withKb(
      `${head},"propagation":[{"question":"Which country, not Franceville's, does Bo Rand live in?","answer":"France","path":["lives_in","located_in"],"verbatim":false}],"locality":[{"question":"What is the capital of Germany?","answer":"Berlin","entity":"Germany","path":["capital"]}]}`,
    ),
  },
  'verbatim-label': {
    fail: {
      ...withKb(
        `${head},"propagation":[{"question":"Which city does Bo Rand live in?","answer":"paris","aliases":["City of Light"],"path":["lives_in"],"verbatim":⟦false⟧{error verbatim-label}},{"question":"In which country does Bo Rand live?","answer":"France","path":["lives_in","located_in"],"verbatim":⟦true⟧{error verbatim-label}}]}`,
      ),
      messages: { 'verbatim-label': 'set it to' },
    },
    pass: withKb(
      `${head},"propagation":[{"question":"Which city does Bo Rand live in?","answer":"paris","aliases":["City of Light"],"path":["lives_in"],"verbatim":true},{"question":"In which country does Bo Rand live?","answer":"France","path":["lives_in","located_in"],"verbatim":false}]}`,
    ),
  },
  'duplicate-question': {
    fail: withKb(
      `${head},"propagation":[{"question":"In which country does Bo Rand live?","answer":"France","path":["lives_in","located_in"],"verbatim":false},{"question":⟦"in which country does  Bo Rand live?"⟧{error duplicate-question},"answer":"France","path":["lives_in","located_in"],"verbatim":false}]}`,
    ),
    pass: withKb(
      `${head},"propagation":[{"question":"In which country does Bo Rand live?","answer":"France","path":["lives_in","located_in"],"verbatim":false},{"question":"Which country is Bo Rand's home?","answer":"France","path":["lives_in","located_in"],"verbatim":false}]}`,
    ),
  },
  'locality-mentions-subject': {
    fail: withKb(
      `${head},"propagation":[],"locality":[{"question":⟦"Where does Bo Rand work?"⟧{error locality-mentions-subject},"answer":"Acme"},{"question":⟦"Which city does Bo Rand live in?"⟧{warning locality-mentions-subject},"answer":"Lyon","entity":"Bo Rand","path":["lives_in"]}]}`,
    ),
    // Another relation of the subject, which the edit does not change, is a fair locality question.
    pass: withKb(
      `${head},"propagation":[],"locality":[{"question":"Which company does Bo Rand work for?","answer":"Acme","path":["works_for"]},{"question":"What is the capital of Germany?","answer":"Berlin","entity":"Germany","path":["capital"]}]}`,
    ),
  },
};
