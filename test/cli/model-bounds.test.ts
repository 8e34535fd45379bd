// Hostile model folders and flags through the CLI: a billion-layer config.json, model.safetensors as a folder,
// tokenizer.json as a FIFO, --threads 100000, texts longer than the model's context (refused naming both
// lengths, cut with --truncate) and --text ids beyond config.json's vocab_size all exit 1 or 2 with one clear
// line, never 70 (internal error), a hang or runaway memory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CliError } from '../../server/cli/command';
import { checkBatchMemory, fitContext } from '../../server/cli/model-args';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import { normalizeConfig } from '../../server/runtime/models/registry';
import { runCliCaptured as cli } from '../support/cli';
import { FIXTURES, writeFixture, writeRandomCheckpoint } from '../support/fixtures';
import { LLAMA_32_1B } from '../support/published-configs';

/** The shipped base model: a 128-token context. */
const SHIPPED = resolve(__dirname, '..', '..', 'assets', 'models', 'tiny-world');
const LONG = Array.from({ length: 60 }, () => 'Marta Quill lives in Oslo.').join(' ');

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const first = stderr.split('\n')[0] as string;
  assert.doesNotMatch(stderr, /internal error|\n\s+at /);
  return first;
}

describe('model folders and flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'propmend-bounds-cli-'));
  const model = join(dir, 'llama');
  before(() => {
    writeFixture(model, 'llama-tiny');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a billion-layer config.json: info and grad exit 1 naming the key and the range', async () => {
    const huge = join(dir, 'huge');
    writeFixture(huge, 'llama-tiny');
    const config = JSON.parse(readFileSync(join(huge, 'config.json'), 'utf8'));
    writeFileSync(join(huge, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: 1e9 }));
    for (const argv of [
      ['info', huge],
      ['grad', huge, '--text', 'a', '--params', 'model.norm.weight', '--out', join(dir, 'g.safetensors')],
    ]) {
      const r = await cli(argv);
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        oneLine(r.stderr),
        /config\.json: "num_hidden_layers" is 1000000000, outside the supported range 1\.\.1024/,
      );
    }
  });

  test('info reports the float32 memory a model needs and whether this machine has it', async () => {
    const big = join(dir, 'llama-405b-shape');
    mkdirSync(big);
    writeFileSync(
      join(big, 'config.json'),
      JSON.stringify({
        ...LLAMA_32_1B,
        hidden_size: 16384,
        intermediate_size: 53248,
        num_hidden_layers: 126,
        num_attention_heads: 128,
        num_key_value_heads: 8,
        head_dim: 128,
        tie_word_embeddings: false,
      }),
    );
    const r = await cli(['info', big, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { parameters: number; float32Bytes: number; fitsInMemory: boolean };
    assert.equal(info.parameters, 405_853_388_800);
    assert.equal(info.float32Bytes, 4 * 405_853_388_800);
    assert.equal(info.fitsInMemory, info.float32Bytes <= totalmem());
    const load = await cli([
      'grad',
      big,
      '--ids',
      '1,2',
      '--params',
      'all',
      '--out',
      join(dir, 'x.safetensors'),
    ]);
    assert.equal(load.code, 1, load.stderr);
    if (!info.fitsInMemory)
      assert.match(
        oneLine(load.stderr),
        /which need 1511\.9 GiB as float32, but this machine has [\d.]+ GiB of memory/,
      );
  });

  test('model.safetensors as a folder and tokenizer.json as a FIFO exit 1 without blocking', {
    timeout: 30_000,
  }, async () => {
    const odd = join(dir, 'odd');
    writeFixture(odd, 'llama-tiny');
    rmSync(join(odd, 'model.safetensors'));
    mkdirSync(join(odd, 'model.safetensors'));
    const out = join(dir, 'odd.safetensors');
    let r = await cli(['grad', odd, '--ids', '1,2,3', '--params', 'model.norm.weight', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(oneLine(r.stderr), /model\.safetensors is a folder, not a regular file/);

    const fifo = join(dir, 'fifo');
    writeFixture(fifo, 'llama-tiny');
    rmSync(join(fifo, 'tokenizer.json'));
    assert.equal(spawnSync('mkfifo', [join(fifo, 'tokenizer.json')]).status, 0);
    r = await cli(['grad', fifo, '--text', 'the cat', '--params', 'model.norm.weight', '--out', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(oneLine(r.stderr), /tokenizer\.json is a FIFO \(named pipe\), not a regular file/);
    r = await cli(['generate', fifo, '--prompt', 'the cat']);
    assert.equal(r.code, 1, r.stderr);
  });

  test('--params with many wildcards answers at once (no regex backtracking)', {
    timeout: 20_000,
  }, async () => {
    const out = join(dir, 'p.safetensors');
    const stars = `${'*'.repeat(40)}z`;
    const r = await cli(['grad', model, '--ids', '1,2,3', '--params', stars, '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(oneLine(r.stderr), /--params: no parameter matches "\*+z"/);
    const ok = await cli(['grad', model, '--ids', '1,2,3', '--params', '**norm*', '--out', out]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { parameters: number }).parameters, 5);
  });

  test('--threads is capped at the machine cores', async () => {
    for (const threads of ['100000', '0', String(availableParallelism() + 1)]) {
      const r = await cli(['generate', model, '--prompt', 'the cat', '--threads', threads]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        oneLine(r.stderr),
        new RegExp(
          `--threads must be between 1 and ${availableParallelism()} \\(this machine's CPU cores\\), got ${threads}`,
        ),
      );
    }
    const r = await cli([
      'generate',
      model,
      '--prompt',
      'the cat',
      '--threads',
      '1',
      '--max-new-tokens',
      '1',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  test('texts beyond the 128-token context of the shipped model are refused naming both lengths', async () => {
    const out = join(dir, 'long.safetensors');
    const grad = await cli(['grad', SHIPPED, '--text', LONG, '--params', 'model.norm.weight', '--out', out]);
    assert.equal(grad.code, 1, grad.stderr);
    assert.match(
      oneLine(grad.stderr),
      /--text has (\d+) tokens, more than the model's context of 128 tokens \(max_position_embeddings in config\.json\); shorten it, or pass --truncate to keep its last 127 tokens/,
    );
    const capture = await cli(['capture', SHIPPED, '--text', LONG, '--layers', '0', '--out', out]);
    assert.equal(capture.code, 1, capture.stderr);
    assert.match(oneLine(capture.stderr), /--text has \d+ tokens, more than the model's context of 128/);
    const ids = Array.from({ length: 129 }, () => 5).join(',');
    const byIds = await cli(['grad', SHIPPED, '--ids', ids, '--params', 'model.norm.weight', '--out', out]);
    assert.equal(byIds.code, 1, byIds.stderr);
    assert.match(oneLine(byIds.stderr), /--ids has 129 tokens, more than the model's context of 128/);
    const generate = await cli(['generate', SHIPPED, '--prompt', LONG]);
    assert.equal(generate.code, 1, generate.stderr);
    assert.match(
      oneLine(generate.stderr),
      /prompt 1 has \d+ tokens, more than the model's context of 128 tokens .* minus the 20 tokens to generate \(--max-new-tokens\); shorten it, or pass --truncate to keep its last 107 tokens/,
    );
    const score = await cli(['score', SHIPPED, '--prompt', LONG, '--answer', 'Oslo']);
    assert.equal(score.code, 1, score.stderr);
    assert.match(
      oneLine(score.stderr),
      /prompt and answer 1 has \d+ tokens, more than the model's context of 128/,
    );
    const noRoom = await cli(['generate', SHIPPED, '--prompt', 'hi', '--max-new-tokens', '128']);
    assert.equal(noRoom.code, 2, noRoom.stderr);
    assert.match(
      oneLine(noRoom.stderr),
      /--max-new-tokens 128 leaves no room for a prompt in the model's context of 128/,
    );
  });

  test('--truncate keeps BOS and the last tokens, so the loss covers exactly the context', async () => {
    const out = join(dir, 'truncated.safetensors');
    const grad = await cli([
      'grad',
      SHIPPED,
      '--text',
      LONG,
      '--truncate',
      '--params',
      'model.norm.weight',
      '--out',
      out,
    ]);
    assert.equal(grad.code, 0, grad.stderr);
    assert.equal((JSON.parse(grad.stdout) as { tokens: number }).tokens, 127);
    const score = await cli(['score', SHIPPED, '--prompt', LONG, '--answer', 'Oslo', '--truncate', '--json']);
    assert.equal(score.code, 0, score.stderr);
    const [s] = (JSON.parse(score.stdout) as { scores: Array<{ logprob: number; tokens: number }> }).scores;
    assert.ok(s && Number.isFinite(s.logprob) && s.tokens >= 2);
    const generate = await cli([
      'generate',
      SHIPPED,
      '--prompt',
      LONG,
      '--truncate',
      '--max-new-tokens',
      '3',
    ]);
    assert.equal(generate.code, 0, generate.stderr);
  });

  test('texts that tokenise to nothing are usage errors, not NaN scores or internal errors', async () => {
    const qwen = join(dir, 'qwen');
    writeFixture(qwen, 'qwen2-tiny');
    const cases: Array<[string[], RegExp]> = [
      [
        ['generate', qwen, '--prompt', ''],
        /prompt 1 is empty after tokenisation \(this model adds no BOS token\)/,
      ],
      [['score', qwen, '--prompt', '', '--answer', 'cat'], /--prompt 1 is empty after tokenisation/],
      [
        ['score', qwen, '--prompt', 'the', '--answer', '', '--no-eos'],
        /--answer 1 is empty after tokenisation/,
      ],
      [
        ['capture', qwen, '--text', '', '--no-eos', '--out', join(dir, 'e.safetensors')],
        /--text is empty after tokenisation/,
      ],
    ];
    for (const [argv, pattern] of cases) {
      const r = await cli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(oneLine(r.stderr), pattern);
    }
  });

  test('--text producing a token id beyond config.json vocab_size is a user error on every command', async () => {
    const small = join(dir, 'small-vocab');
    writeRandomCheckpoint(small, { ...FIXTURES['llama-tiny'], vocabSize: 8 });
    const out = join(dir, 'v.safetensors');
    for (const argv of [
      ['grad', small, '--text', 'the cat sat on the mat', '--params', 'model.norm.weight', '--out', out],
      ['capture', small, '--text', 'the cat sat on the mat', '--layers', '0', '--out', out],
      ['generate', small, '--prompt', 'the cat sat on the mat'],
      ['score', small, '--prompt', 'the cat', '--answer', 'sat on the mat'],
    ]) {
      const r = await cli(argv);
      assert.equal(r.code, 1, `${argv[0]}: ${r.stderr}`);
      assert.match(
        oneLine(r.stderr),
        /produced token id \d+, outside the model's vocabulary \(vocab_size 8 in config\.json, tokenizer size \d+\); the tokenizer files and config\.json do not belong to the same model/,
      );
    }
  });
});

describe('context and memory checks', () => {
  const llama1b = {
    config: normalizeConfig(LLAMA_32_1B, 'config.json'),
    dtype: 'float32',
    tokens: { bos: 128000, eos: [128001], pad: 128001 },
  } as unknown as LanguageModel;

  test('a 21k-token text on a 128k-context model is refused for memory, with the numbers', () => {
    assert.throws(
      () => checkBatchMemory(llama1b, 1, 21_000, true),
      (e: Error) =>
        e instanceof CliError &&
        /^1 sequence of 21000 tokens need about [\d.]+ GiB for attention with gradients \([\d.]+ GiB of it for the mask on the JavaScript heap of [\d.]+ GiB\), but this machine has [\d.]+ GiB beside the weights; use shorter texts$/.test(
          e.message,
        ),
    );
    checkBatchMemory(llama1b, 1, 256, true);
  });

  test('fitContext keeps a leading BOS and protects the tail it is told to keep', () => {
    const tiny = { ...llama1b, config: { ...llama1b.config, maxPositionEmbeddings: 6 } } as LanguageModel;
    const ids = [128000, 1, 2, 3, 4, 5, 6, 7];
    assert.deepEqual(fitContext(tiny, ids, { what: 'x', truncate: true }), [128000, 3, 4, 5, 6, 7]);
    assert.deepEqual(
      fitContext(tiny, [1, 2, 3, 4, 5, 6, 7], { what: 'x', truncate: true }),
      [2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(fitContext(tiny, ids, { what: 'x', truncate: true, reserve: 3 }), [128000, 6, 7]);
    assert.deepEqual(fitContext(tiny, [1, 2], { what: 'x' }), [1, 2]);
    assert.throws(
      () => fitContext(tiny, ids, { what: 'x', truncate: true, keepTail: 6 }),
      /x has 8 tokens, more than the model's context of 6 tokens .*; the last 6 tokens alone do not fit/,
    );
  });
});
