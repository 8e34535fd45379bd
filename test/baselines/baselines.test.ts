// The baseline methods on the shipped model: MEMIT's key statistics (brute-force equal, padding-invariant,
// cached and reused), a MEMIT edit on a fixed sample of the validation split (low-rank down_proj factors,
// the fact's object as the greedy completion of the fact's own prompt, weights untouched), CPT (the loss
// falls, the weights change and are restored bit for bit), Prepend's format and the unknown-method error.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { shippedAssets } from '../../server/common/paths';
import { loadTokenizer, type TextTokenizer } from '../../server/common/tokenizer';
import { type Instance, parseJsonl, readInstanceFile } from '../../server/dataset/index';
import { continuedPretraining, cptParameters } from '../../server/runtime/baselines/cpt';
import { Baselines, parseBaselineMethod, prependPrompt } from '../../server/runtime/baselines/index';
import { MEMIT_DEFAULTS, memitLayers } from '../../server/runtime/baselines/memit';
import { captureForward } from '../../server/runtime/baselines/memit-graphs';
import { memitRequests, relationPromptsFromKb } from '../../server/runtime/baselines/memit-requests';
import { computeKeyStatistics } from '../../server/runtime/baselines/memit-stats';
import { weightsChecksum } from '../../server/runtime/baselines/weights';
import { presetLayers } from '../../server/runtime/edit/layers';
import { exactMatch } from '../../server/runtime/eval/answers';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import { loadLanguageModel } from '../../server/runtime/models/load';
import { Runtime } from '../../server/runtime/session/runtime';
import { padLeft } from '../../server/runtime/tasks/batch';
import { generateGreedy } from '../../server/runtime/tasks/generate';

/** Validation instances edited in the default ring (the full split runs in test/heavy/memit.test.ts). */
const SAMPLE = 8;
const quiet = { signal: new AbortController().signal, progress: () => {}, log: () => {} };

describe('baselines on the shipped model', () => {
  const runtime = new Runtime({ threads: 1 });
  const { model: modelDir, world } = shippedAssets();
  let model: LanguageModel;
  let tokenizer: TextTokenizer;
  let work: string;
  let corpus: string;
  before(async () => {
    model = loadLanguageModel(modelDir, { runtime });
    tokenizer = await loadTokenizer(modelDir);
    work = mkdtempSync(join(tmpdir(), 'propmend-baselines-'));
    // A user's plain-text corpus: the first 1500 texts of the world's corpus (~20k tokens >> f = 512).
    const texts = parseJsonl(readFileSync(join(world, 'corpus.jsonl'), 'utf8'))
      .slice(0, 1500)
      .map((r) => (r.doc.ok ? (r.doc.value as { text: string }).text : ''));
    corpus = join(work, 'corpus.txt');
    writeFileSync(corpus, `${texts.join('\n')}\n`);
  });
  after(() => {
    runtime.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  test('key statistics equal the brute-force mean of k k^T over unpadded tokens', async () => {
    const layer = 1;
    const sequences = [
      'Hioltheth Thastas was born in Pluethdrem.',
      'Paplomend is a company.',
      'The capital is',
    ].map((t) => tokenizer.encode(t, { addSpecialTokens: true }));
    const stats = await computeKeyStatistics(model, sequences, [layer], quiet);
    const f = model.config.intermediateSize;
    const brute = new Float64Array(f * f);
    let tokens = 0;
    for (const s of sequences) {
      const out = await captureForward(model, padLeft([s], model.tokens.pad), { keyLayers: [layer] });
      const k = out.keys.get(layer)?.data as Float32Array;
      for (let t = 0; t < s.length; t++)
        for (let i = 0; i < f; i++)
          for (let j = 0; j < f; j++)
            brute[i * f + j] =
              (brute[i * f + j] as number) + (k[t * f + i] as number) * (k[t * f + j] as number);
      tokens += s.length;
    }
    assert.equal(stats.tokens, tokens);
    const c = stats.moments.get(layer) as Float64Array;
    let maxDiff = 0;
    let maxVal = 0;
    for (let i = 0; i < c.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((c[i] as number) - (brute[i] as number) / tokens));
      maxVal = Math.max(maxVal, Math.abs(c[i] as number));
    }
    assert.ok(maxDiff / maxVal < 1e-5, `relative difference ${maxDiff / maxVal}`);
    for (let i = 0; i < f; i++) assert.ok((c[i * f + i] as number) >= 0);
  });

  test('MEMIT edits a sample of the validation split through low-rank down_proj factors, weights untouched', async (t) => {
    const read = readInstanceFile(join(world, 'splits', 'validation.ripple.jsonl'));
    assert.ok(read.ok);
    const instances: Instance[] = read.instances.slice(0, SAMPLE).map((r) => r.instance);
    const logs: string[] = [];
    const ctx = { ...quiet, log: (l: string) => logs.push(l) };
    const baselines = new Baselines(model, tokenizer, {
      memitCorpus: corpus,
      memitCacheDir: join(work, 'cache'),
      memitKb: join(world, 'world.kb.json'),
      verifyRestore: true,
    });
    const checksum = weightsChecksum(model);
    const layers = memitLayers(model.config.numLayers);
    let factOk = 0;
    let factBefore = 0;
    let factN = 0;
    let verbatimOk = 0;
    let verbatimBefore = 0;
    let verbatimN = 0;
    const relationPrompts = relationPromptsFromKb(join(world, 'world.kb.json'));
    for (const instance of instances) {
      const edited = await baselines.editWith('memit', instance, ctx);
      const edit = edited.edit;
      assert.ok(edit);
      assert.deepEqual(
        [...edit.keys()],
        layers.map((l) => `model.layers.${l}.mlp.down_proj`),
      );
      // One request and one key per triple: the relation prompts put a different prefix before the subject.
      const n = memitRequests(instance, relationPrompts).length;
      assert.equal(n, instance.triples.length);
      for (const { u, d } of edit.values()) {
        assert.deepEqual(u.shape, [n, model.config.intermediateSize], 'one key per relation');
        assert.deepEqual(d.shape, [n, model.config.hiddenSize]);
      }
      const requests = memitRequests(instance);
      const verbatim = instance.propagation.filter((q) => q.kind === 'verbatim');
      const prompts = [
        ...requests.map((r) => r.before + r.subject + r.rest),
        ...verbatim.map((q) => q.question ?? ''),
      ];
      const answers = await generateGreedy(
        model,
        prompts.map((p) => tokenizer.encode(p, { addSpecialTokens: true })),
        { maxNewTokens: 6, edit },
      );
      const text = answers.map((a) => tokenizer.decode(a.ids, { skipSpecialTokens: true }).trim());
      const unedited = await generateGreedy(
        model,
        prompts.map((p) => tokenizer.encode(p, { addSpecialTokens: true })),
        { maxNewTokens: 6 },
      );
      requests.forEach((r, i) => {
        factN++;
        if ((text[i] as string).startsWith(r.target)) factOk++;
        const said = tokenizer.decode(unedited[i]?.ids ?? [], { skipSpecialTokens: true }).trim();
        if (said.startsWith(r.target)) factBefore++;
      });
      verbatim.forEach((q, i) => {
        verbatimN++;
        const answered = (said: string) =>
          exactMatch(
            said.split(/[.?\n]/)[0] ?? '',
            q.answer ?? '',
            q.aliases.map((a) => a.text),
          );
        if (answered(text[requests.length + i] as string)) verbatimOk++;
        const before = tokenizer.decode(unedited[requests.length + i]?.ids ?? [], {
          skipSpecialTokens: true,
        });
        if (answered(before.trim())) verbatimBefore++;
      });
      edited.restore();
    }
    assert.equal(weightsChecksum(model), checksum, 'MEMIT never writes the weights');
    assert.equal(
      logs.filter((l) => l.startsWith('MEMIT key statistics: computing')).length,
      1,
      'statistics computed once',
    );
    t.diagnostic(
      `MEMIT on ${instances.length} validation instances: verbatim question answered ${verbatimOk}/${verbatimN} (unedited ${verbatimBefore}), fact prompt completed with the object ${factOk}/${factN} (unedited ${factBefore})`,
    );
    // Measured with this corpus and sample: 7/16 after, 1/16 before (the full split: test/heavy/memit.test.ts).
    assert.ok(
      verbatimOk >= verbatimBefore + 3,
      `verbatim-question efficacy ${verbatimOk}/${verbatimN}, unedited ${verbatimBefore}`,
    );
    // A second Baselines on the same model and corpus reads the cached file instead of recomputing.
    const again: string[] = [];
    const cached = new Baselines(model, tokenizer, {
      memitCorpus: corpus,
      memitCacheDir: join(work, 'cache'),
    });
    await cached.memitStatistics({ ...quiet, log: (l) => again.push(l) });
    assert.ok(
      again.some((l) => l.startsWith('MEMIT key statistics from')),
      again.join('\n'),
    );
  });

  test('CPT lowers the fact loss, changes only its scope, and restores the weights bit for bit', async () => {
    const fact = 'Hioltheth Thastas was born in Pluethdrem.';
    // cpt-midupper trains the PropMEND mid-upper preset: layer 2 of the shipped model (Llama-1B 10-12).
    assert.deepEqual(presetLayers('mid-upper', 4), [2]);
    assert.deepEqual([...new Set(cptParameters(model, 'mid-upper').map((n) => n.split('.')[2]))], ['2']);
    const checksum = weightsChecksum(model);
    const scope = cptParameters(model, 'mid-upper');
    const outside = [...model.weights.keys()].find((n) => !scope.includes(n)) as string;
    const outsideBefore = model.weights.get(outside)?.data.slice();
    const result = await continuedPretraining(
      model,
      tokenizer,
      fact,
      { steps: 3, lr: 1e-3, scope: 'mid-upper' },
      { verify: true },
    );
    assert.ok(
      (result.losses.at(-1) as number) < (result.losses[0] as number),
      `losses ${result.losses.join(', ')}`,
    );
    assert.notEqual(weightsChecksum(model), checksum);
    assert.deepEqual(model.weights.get(outside)?.data, outsideBefore, `${outside} is outside mid-upper`);
    result.snapshot.restore();
    assert.equal(weightsChecksum(model), checksum);
    const full = await new Baselines(model, tokenizer, { cpt: { steps: 2 }, verifyRestore: true }).editWith(
      'cpt-full',
      { fact, triples: [], propagation: [], locality: [] },
      quiet,
    );
    assert.notEqual(weightsChecksum(model), checksum);
    full.restore();
    assert.equal(weightsChecksum(model), checksum);
  });

  test('Prepend puts the fact before the question; base changes nothing; unknown methods name the valid ones', async () => {
    assert.equal(
      prependPrompt('A was born in B.', 'Where was A born?'),
      'A was born in B. Where was A born?',
    );
    const baselines = new Baselines(model, tokenizer, { verifyRestore: true });
    const instance: Instance = { fact: 'A was born in B.', triples: [], propagation: [], locality: [] };
    const prepend = await baselines.editWith('prepend', instance, quiet);
    assert.equal(prepend.prompt('Where was A born?'), 'A was born in B. Where was A born?');
    assert.equal(prepend.edit, undefined);
    prepend.restore();
    const base = await baselines.editWith('base', instance, quiet);
    assert.equal(base.prompt('Q?'), 'Q?');
    base.restore();
    assert.throws(() => parseBaselineMethod('rome'), /unknown method "rome"; valid baselines: base, prepend/);
    await assert.rejects(baselines.editWith('memit', instance, quiet), /--memit-corpus/);
    assert.equal(MEMIT_DEFAULTS.klFactor, 0.0625);
  });
});
