// Edit-spec rules: missing model/hypernetwork/KB paths (warnings for what training may produce later),
// layers beyond the model's depth, and the instance rules applied to the spec's fact and questions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDiagnostics } from './check-fixture';
import { KB } from './world';

const MODEL = `//- /ws/models/tiny/config.json
{ "model_type": "llama", "num_hidden_layers": 4 }
//- /ws/models/tiny/model.safetensors
x
`;

const spec = (fields: string) => `{
  "model": "models/tiny",
  ${fields}
  "fact": "Zed was born in Rome.",
  "subject": "Zed",
  "triples": [{ "subject": "Zed", "relation": "born_in", "object": "Rome" }],
  "propagation": [{ "question": "In which country was Zed born?", "answer": "Italy", "path": ["born_in", "located_in"] }]
}
`;

test('a complete edit spec checks clean', async () => {
  await checkDiagnostics(`${KB}${MODEL}//- /ws/e.edit.json
${spec('"layers": [1, 3], "hypernetwork": "models/tiny/model.safetensors", "kb": "w.kb.json",')}`);
});

test('missing-file: model and hypernetwork are warnings, a missing KB is an error', async () => {
  await checkDiagnostics(`//- /ws/e.edit.json
{
  "model": ⟦"models/none"⟧⟨warning missing-file: model folder⟩,
  "hypernetwork": ⟦"hyper.safetensors"⟧⟨warning missing-file⟩,
  "kb": ⟦"nothing.kb.json"⟧⟨error missing-file⟩,
  "layers": "top",
  "fact": "Zed was born in Rome.",
  "subject": "Zed",
  "propagation": [{ "question": "Where was Zed born?", "answer": "Rome" }]
}
`);
});

test('layer-out-of-range: layer indices at or past num_hidden_layers', async () => {
  await checkDiagnostics(`${KB}${MODEL}//- /ws/e.edit.json
${spec('"layers": [3, ⟦4⟧⟨error layer-out-of-range: valid indices 0-3⟩, ⟦9⟧⟨error layer-out-of-range⟩],')}`);
});

test('instance rules run on edit specs too (path optional, verbatim optional)', async () => {
  await checkDiagnostics(`${KB}${MODEL}//- /ws/e.edit.json
{
  "model": "models/tiny",
  "layers": "max",
  "fact": "Zed was born in Rome.",
  "subject": "Zed",
  "triples": [{ "subject": "Zed", "relation": ⟦"bornin"⟧⟨error unknown-relation⟩, "object": "Rome" }],
  "propagation": [{ "question": "Was Zed born in Italy?", "answer": "yes" }, { "question": ⟦"Is Rome in Italy?"⟧⟨error answer-in-question⟩, "answer": "Rome" }]
}
`);
});

test('outside-root: spec paths out of the spec folder and the workspace are not read, and not said to exist or not', async () => {
  const r = await checkDiagnostics(`${KB}${MODEL}//- /ws/d/e.edit.json
{
  "model": ⟦"../../etc"⟧⟨error outside-root: "model" points outside the spec's folder⟩,
  "hypernetwork": ⟦"/etc/passwd"⟧⟨error outside-root⟩,
  "kb": ⟦"../../../../etc/passwd"⟧⟨error outside-root⟩,
  "layers": [1],
  "fact": "Zed was born in Rome.",
  "subject": "Zed",
  "propagation": [{ "question": "Where was Zed born?", "answer": "Rome" }]
}
`);
  const text = JSON.stringify(r);
  assert.ok(!/root:|does not exist|exists/.test(text), 'no content of /etc/passwd and no existence hint');
  // Inside the workspace (absolute or relative, above the spec's folder) is fine.
  await checkDiagnostics(`${KB}${MODEL}//- /ws/d/e.edit.json
${spec('"layers": [1], "hypernetwork": "/ws/models/tiny/model.safetensors", "kb": "../w.kb.json",').replace('"models/tiny"', '"../models/tiny"')}`);
});
