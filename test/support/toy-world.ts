// A toy world folder for pretraining tests: the fixture checkpoint's word-level tokenizer and a corpus of
// 200 six-word lines over nine words, so a smoke run learns something in a few steps. Written at test time.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFixture } from './fixtures';

/** Writes the toy world into `world` (a fixture model is written beside it for its tokenizer). */
export function writeToyWorld(world: string): void {
  const model = `${world}-tokenizer-source`;
  writeFixture(model, 'llama-tiny');
  mkdirSync(world, { recursive: true });
  for (const f of ['tokenizer.json', 'tokenizer_config.json'])
    writeFileSync(join(world, f), readFileSync(join(model, f)));
  const words = ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', 'to', 'park'];
  const lines = Array.from({ length: 200 }, (_, i) =>
    JSON.stringify({
      kind: 'fact',
      text: Array.from({ length: 6 }, (_, k) => words[(i * 7 + k * ((i % 5) + 1)) % words.length]).join(' '),
    }),
  );
  writeFileSync(join(world, 'corpus.jsonl'), `${lines.join('\n')}\n`);
}
