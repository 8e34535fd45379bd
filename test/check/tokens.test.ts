// Token-length rules with a real tokenizer folder (the word-level fixture tokenizer in test/support):
// answers longer than the generation budget, prompts (and facts) too long for the context, and the
// context taken from a config.json next to the tokenizer. A bad folder becomes one warning, not a crash.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeJsonAtomic } from '../../server/common/atomic';
import { writeFixtureTokenizer } from '../support/fixture-tokenizer';
import { checkDiagnostics } from './check-fixture';

let dir = '';
let withConfig = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'propmend-tok-'));
  writeFixtureTokenizer(dir, { addBos: true, withPad: true });
  withConfig = join(dir, 'model');
  writeFixtureTokenizer(withConfig, { addBos: true, withPad: true });
  writeJsonAtomic(join(withConfig, 'config.json'), { max_position_embeddings: 12 });
});

after(() => rmSync(dir, { recursive: true, force: true }));

const line = (question: string, answer: string) =>
  `{"id":"a","fact":"bob was born in paris.","subject":"bob","triples":[{"subject":"bob","relation":"born_in","object":"paris"}],"propagation":[{"question":${question},"answer":${answer},"path":["born_in"],"verbatim":${answer.includes('paris')}}]}`;

test('answer-too-long: more answer tokens than max_new_tokens', async () => {
  await checkDiagnostics(
    `//- /ws/d/x.ripple.jsonl
${line('"where was bob born?"', '⟦"zzzzzzzzzz"⟧⟨error answer-too-long: budget is 5⟩')}
`,
    { settings: { tokenizer: dir, maxNewTokens: 5 }, disk: true },
  );
  await checkDiagnostics(
    `//- /ws/d/x.ripple.jsonl
${line('"where was bob born?"', '"the city of london"')}
`,
    { settings: { tokenizer: dir, maxNewTokens: 5 }, disk: true },
  );
});

test('prompt-too-long: prompt plus answer budget beyond the context, from settings or config.json', async () => {
  await checkDiagnostics(
    `//- /ws/d/x.ripple.jsonl
${line('⟦"in which city of the country of france was bob born?"⟧⟨error prompt-too-long: context of 14⟩', '"paris"')}
`,
    { settings: { tokenizer: dir, maxNewTokens: 2, context: 14 }, disk: true },
  );
  await checkDiagnostics(
    `//- /ws/d/x.ripple.jsonl
${line('⟦"in which city of the country of france was bob born?"⟧⟨error prompt-too-long: context of 12⟩', '"paris"')}
`,
    { settings: { tokenizer: withConfig, maxNewTokens: 2 }, disk: true },
  );
  await checkDiagnostics(
    `//- /ws/d/x.ripple.jsonl
${line('"where was bob born?"', '"paris"')}
`,
    { settings: { tokenizer: withConfig, maxNewTokens: 2 }, disk: true },
  );
});

test('tokenizer: a folder without tokenizer files is one warning on line 1', async () => {
  await checkDiagnostics(
    `//- /ws/d/x.ripple.jsonl
⟦⟧⟨warning tokenizer: tokenizer.json⟩${line('"where was bob born?"', '"paris"')}
`,
    { settings: { tokenizer: join(dir, 'nowhere') }, disk: true },
  );
});
