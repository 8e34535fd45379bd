// Tests for server/common/tokenizer.ts on the fixture word-level tokenizer: special tokens, encode/decode,
// the per-folder cache, no network access, and the error messages for missing or malformed files.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { clearTokenizerCache, loadTokenizer } from '../../server/common/tokenizer';
import {
  fixtureTokenizerConfig,
  fixtureVocabulary,
  writeFixtureTokenizer,
} from '../support/fixture-tokenizer';

const root = mkdtempSync(join(tmpdir(), 'propmend-tok-'));
after(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, options = { addBos: true, withPad: false }): string {
  const dir = join(root, name);
  writeFixtureTokenizer(dir, options);
  return dir;
}

const vocab = fixtureVocabulary();
const idOf = (token: string) => {
  const id = vocab.indexOf(token);
  assert.ok(id >= 0, `fixture vocabulary lacks ${token}`);
  return id;
};

test('a Llama-style folder prepends BOS and reports its special tokens', async () => {
  const tok = await loadTokenizer(folder('llama'));
  assert.equal(tok.vocabSize, vocab.length);
  assert.equal(tok.bosTokenId, idOf('<s>'));
  assert.equal(tok.eosTokenId, idOf('</s>'));
  assert.equal(tok.padTokenId, null, 'no pad_token in the config means null, not a fallback to EOS');
  assert.equal(tok.modelMaxLength, 2048);
  const words = ['the', 'capital', 'of', 'france', 'is', 'paris', '.'];
  assert.deepEqual(tok.encode('The capital of France is Paris.'), [idOf('<s>'), ...words.map(idOf)]);
  assert.deepEqual(
    tok.encode('The capital of France is Paris.', { addSpecialTokens: false }),
    words.map(idOf),
  );
});

test('unknown words are spelled with continuation pieces and decode back', async () => {
  const tok = await loadTokenizer(folder('spell'));
  const ids = tok.encode('zorblax 42', { addSpecialTokens: false });
  assert.deepEqual(ids, ['z', '##o', '##r', '##b', '##l', '##a', '##x', '4', '##2'].map(idOf));
  assert.equal(tok.decode(ids), 'zorblax 42');
  const withBos = tok.encode('who is alice?');
  assert.equal(tok.decode(withBos), '<s> who is alice?');
  assert.equal(tok.decode(withBos, { skipSpecialTokens: true }), 'who is alice?');
  assert.equal(tok.decode([]), '');
});

test('a Qwen2-style folder adds no BOS and names its pad token', async () => {
  const tok = await loadTokenizer(folder('qwen', { addBos: false, withPad: true }));
  assert.equal(tok.bosTokenId, null);
  assert.equal(tok.padTokenId, idOf('<pad>'));
  assert.deepEqual(tok.encode('who is alice'), ['who', 'is', 'alice'].map(idOf));
});

test('the cache returns one tokenizer per absolute folder and reloads when a file changes', async () => {
  const dir = folder('cached');
  const a = await loadTokenizer(dir);
  const b = await loadTokenizer(relative(process.cwd(), dir));
  assert.equal(a, b);
  const config = { ...fixtureTokenizerConfig({ addBos: true, withPad: false }), model_max_length: 77 };
  writeFileSync(join(dir, 'tokenizer_config.json'), `${JSON.stringify(config)}\n`);
  const c = await loadTokenizer(dir);
  assert.notEqual(c, a);
  assert.equal(c.modelMaxLength, 77);
  clearTokenizerCache();
  assert.notEqual(await loadTokenizer(dir), c);
});

test('special tokens fall back to special_tokens_map.json; the unlimited max length is null', async () => {
  const dir = folder('map');
  const { eos_token: _eos, ...config } = fixtureTokenizerConfig({ addBos: true, withPad: false });
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, model_max_length: 1e30 }));
  writeFileSync(
    join(dir, 'special_tokens_map.json'),
    JSON.stringify({ eos_token: { content: '<unk>', lstrip: false, normalized: false } }),
  );
  const tok = await loadTokenizer(dir);
  assert.equal(tok.eosTokenId, idOf('<unk>'));
  assert.equal(tok.modelMaxLength, null);
});

test('loading never touches the network', async () => {
  const calls: string[] = [];
  const spy = (async (input: unknown) => {
    calls.push(String(input));
    throw new Error('network disabled in this test');
  }) as typeof fetch;
  const original = globalThis.fetch;
  globalThis.fetch = spy;
  try {
    clearTokenizerCache();
    await loadTokenizer(folder('offline'));
    await assert.rejects(loadTokenizer(join(root, 'missing-offline')));
  } finally {
    globalThis.fetch = original;
  }
  assert.deepEqual(calls, []);
});

test('missing or malformed files give errors naming the folder, the file and the fix', async () => {
  await assert.rejects(loadTokenizer(join(root, 'nope')), /tokenizer folder .*nope does not exist/);

  const noConfig = folder('no-config');
  rmSync(join(noConfig, 'tokenizer_config.json'));
  await assert.rejects(loadTokenizer(noConfig), (e: Error) => {
    assert.match(e.message, /no-config has no tokenizer_config\.json/);
    assert.match(e.message, /tokenizer\.json and tokenizer_config\.json/);
    return true;
  });

  const noJson = folder('no-json');
  rmSync(join(noJson, 'tokenizer.json'));
  await assert.rejects(loadTokenizer(noJson), /no-json has no tokenizer\.json/);

  const broken = folder('broken');
  writeFileSync(join(broken, 'tokenizer.json'), '{"model": ');
  await assert.rejects(loadTokenizer(broken), /broken[/\\]tokenizer\.json is not valid JSON/);

  const badModel = folder('bad-model');
  writeFileSync(join(badModel, 'tokenizer.json'), JSON.stringify({ model: { type: 'Mystery' } }));
  await assert.rejects(loadTokenizer(badModel), /cannot build a tokenizer from .*bad-model.*BPE, WordPiece/);

  const badSpecial = folder('bad-special');
  const config = { ...fixtureTokenizerConfig({ addBos: true, withPad: false }), pad_token: '<nothing>' };
  writeFileSync(join(badSpecial, 'tokenizer_config.json'), JSON.stringify(config));
  await assert.rejects(loadTokenizer(badSpecial), /pad_token "<nothing>" is not in the vocabulary/);

  const file = join(folder('as-file'), 'tokenizer.json');
  await assert.rejects(loadTokenizer(file), /is a file, not a folder/);
});

test('decoding an id outside the vocabulary is a RangeError naming the id', async () => {
  const tok = await loadTokenizer(folder('range'));
  assert.throws(() => tok.decode([1, vocab.length]), /token id 289 is outside the vocabulary/);
  assert.throws(() => tok.decode([-1]), RangeError);
});
