// Benchmark: pretraining throughput of the tiny-world recipe on the shipped world's corpus (real batches,
// forward + backward + AdamW), and greedy answering throughput of the shipped model on its 1-hop questions.
// Table on stdout, --json for machines, logs on stderr.
// Usage: node --import tsx bench/train.bench.ts [--json] [--steps N] [--threads N]
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { shippedAssets } from '../server/common/paths';
import { loadTokenizer } from '../server/common/tokenizer';
import { answerAccuracy, readWorldQuestions } from '../server/runtime/eval/world-eval';
import { loadLanguageModel } from '../server/runtime/models/load';
import { parameterNames } from '../server/runtime/models/registry';
import { Runtime } from '../server/runtime/session/runtime';
import { nextTokenTargets, padLeft } from '../server/runtime/tasks/batch';
import { lossGradients } from '../server/runtime/tasks/objectives';
import { adamwStep, newAdamWState } from '../server/runtime/train/adamw';
import { readCorpus } from '../server/runtime/train/corpus';
import { epochBatches, initialWeights, llamaConfig, modelOver } from '../server/runtime/train/pretrain';
import { RECIPES } from '../server/runtime/train/recipes';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      steps: { type: 'string', default: '60' },
      threads: { type: 'string', default: String(availableParallelism()) },
    },
  });
  const steps = Number(values.steps);
  const threads = Number(values.threads);
  const { world, model: modelDir } = shippedAssets();
  const tokenizer = await loadTokenizer(join(world, 'tokenizer'));
  const corpus = readCorpus(join(world, 'corpus.jsonl'), tokenizer);
  const recipe = RECIPES['tiny-world'];
  const tokens = {
    bos: tokenizer.bosTokenId,
    eos: [tokenizer.eosTokenId as number],
    pad: tokenizer.padTokenId as number,
  };
  const runtime = new Runtime({ threads });
  const config = llamaConfig(tokenizer.vocabSize, recipe.architecture, tokens);
  const weights = initialWeights(config, recipe);
  const model = modelOver({ runtime, vocabSize: tokenizer.vocabSize, tokens, recipe }, weights);
  const state = newAdamWState(weights);
  const names = [...weights.keys()];
  const batches = epochBatches(
    corpus.sequences.map((s) => s.length),
    recipe.batchSize,
    recipe.seed,
    0,
  );
  const step = async (i: number) => {
    const batch = padLeft(
      (batches[i % batches.length] as number[]).map((k) => corpus.sequences[k] as number[]),
      tokens.pad,
    );
    const targets = nextTokenTargets('float32', batch);
    const { gradients } = await lossGradients(model, batch, targets, names);
    adamwStep(state, weights, new Map([...gradients].map(([n, t]) => [n, t.data as Float32Array])), 1e-3);
    return targets.count;
  };
  await step(0);
  let trained = 0;
  const started = performance.now();
  for (let i = 1; i <= steps; i++) trained += await step(i);
  const trainSeconds = (performance.now() - started) / 1000;
  const params = parameterNames(config).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);

  const shipped = loadLanguageModel(modelDir, { runtime });
  const shippedTokenizer = await loadTokenizer(modelDir);
  const questions = readWorldQuestions(world).oneHop;
  const t0 = performance.now();
  const answered = await answerAccuracy(shipped, shippedTokenizer, questions);
  const evalSeconds = (performance.now() - t0) / 1000;
  await runtime.dispose();

  const summary = {
    bench: 'train',
    threads,
    parameters: params,
    batchSize: recipe.batchSize,
    steps,
    stepMs: (1000 * trainSeconds) / steps,
    tokensPerSecond: trained / trainSeconds,
    epochSeconds: (trainSeconds / steps) * batches.length,
    greedyQuestionsPerSecond: questions.length / evalSeconds,
    greedyQuestions: questions.length,
    // Not a gate here (that is `propmend world eval`); printed so a broken model cannot look fast.
    greedyAccuracy: answered.accuracy,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const rows: Array<[string, string]> = [
    ['model', `tiny-world recipe, ${(params / 1e6).toFixed(2)}M parameters, ${threads} threads`],
    ['training step (batch 64, fwd+bwd+AdamW)', `${summary.stepMs.toFixed(1)} ms`],
    ['training throughput', `${summary.tokensPerSecond.toFixed(0)} predicted tokens/s`],
    ['one epoch of the world corpus', `${summary.epochSeconds.toFixed(1)} s`],
    [
      'greedy answering (shipped model, 1-hop)',
      `${summary.greedyQuestionsPerSecond.toFixed(0)} questions/s over ${questions.length} (${(100 * answered.accuracy).toFixed(1)}% right)`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}

main().catch((error) => {
  process.stderr.write(`train bench: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
