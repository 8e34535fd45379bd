// The cases of `propmend bench`: what each one feeds both sides (model folder, token ids made here in Node and
// passed to both, hypernetwork file), how a row is made from the two results, and how the two sides are
// checked against each other (inner loss, first answer, update norm, losses). Runs sides through a SideRunner,
// so the harness test can fake them. Owns no product code and no timing logic (that is ours.ts / peer.py).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { shippedAssets } from '../../server/common/paths';
import { Rng } from '../../server/common/random';
import { loadTokenizer } from '../../server/common/tokenizer';
import { localityRows } from '../../server/runtime/edit/episode';
import { readInstances, readLocalityTexts } from '../../server/runtime/edit/instances';
import { questionRow } from '../../server/runtime/edit/meta-batch';
import { readModelConfig } from '../../server/runtime/models/checkpoint';
import type { ModelConfig } from '../../server/runtime/models/config';
import { defaultLlama1BDir, makeLlama1B } from '../make-llama-1b';
import { type CaseRow, caseRow, relDiff, seriesMedian } from './harness';
import { REPO_ROOT, type SideRunner } from './sides';
import type { EditSpec, ForwardBackwardSpec, MetaTrainSpec, RunSettings, SideResult } from './spec';

export interface CaseContext {
  readonly settings: RunSettings;
  readonly run: SideRunner;
  readonly log: (line: string) => void;
}

export interface CaseOutcome {
  readonly row: CaseRow;
  readonly raw: { ours: SideResult | null; peer: SideResult | null };
}

export interface BenchCase {
  readonly name: string;
  readonly summary: string;
  run(ctx: CaseContext): Promise<CaseOutcome>;
}

const CACHE = join(REPO_ROOT, '.cache', 'bench');
/** Layers 4-15, gate/up/down each: the reference's `max` preset on Llama-3.2-1B. */
export const MAX_LAYERS_1B = Array.from({ length: 12 }, (_, i) => i + 4);
/** Layers of the 1B shape kept for forward-backward (the full 16 would take minutes per 8x64 step here). */
export const FORWARD_BACKWARD_LAYERS = 4;

/** Deterministic ids spread over the vocabulary (no special tokens), the same on both sides. */
export function spreadIds(count: number, vocab: number, salt: number, avoid: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < count; i++) {
    const id = (i * 7919 + salt * 104729 + 13) % vocab;
    if (!avoid.has(id)) out.push(id);
  }
  return out;
}

function specials(config: ModelConfig): Set<number> {
  return new Set([...(config.bosTokenId === null ? [] : [config.bosTokenId]), ...config.eosTokenIds]);
}

/** The checks an edit's two sides must pass to count as the same computation. */
export function editAgreement(ours: SideResult, peer: SideResult): { agree: boolean; notes: string } {
  const lo = ours.check.inner_loss as number;
  const lp = peer.check.inner_loss as number;
  const fo = ours.check.first_target_update_fro as number;
  const fp = peer.check.first_target_update_fro as number;
  const ao = String(ours.check.answers_ids).split(' | ');
  const ap = String(peer.check.answers_ids).split(' | ');
  const same = ao.filter((a, i) => a === ap[i]).length;
  const lossOk = relDiff(lo, lp) < 1e-3;
  const froOk = relDiff(fo, fp) < 1e-2;
  const firstOk = ao[0] === ap[0];
  return {
    agree: lossOk && froOk && firstOk,
    notes: `loss ${lo.toFixed(5)} vs ${lp.toFixed(5)}, |ΔW₀| rel.diff ${relDiff(fo, fp).toExponential(1)}, answers ${same}/${ao.length} identical`,
  };
}

function editOutcome(name: string, ours: SideResult, peer: SideResult, spec: EditSpec): CaseOutcome {
  const { agree, notes } = editAgreement(ours, peer);
  const stages = Object.fromEntries(
    ['capture', 'transform', 'answer'].map((s) => [
      s,
      { ours_s: seriesMedian(ours, s), peer_s: seriesMedian(peer, s) },
    ]),
  );
  return {
    row: caseRow(name, ours, peer, {
      series: 'edit',
      agree,
      notes,
      extra: {
        stages,
        fact_tokens: spec.fact.length,
        questions: spec.questions.length,
        max_new_tokens: spec.maxNewTokens,
        ours_check: ours.check,
        peer_check: peer.check,
      },
    }),
    raw: { ours, peer },
  };
}

async function runBoth(ctx: CaseContext, spec: Parameters<SideRunner>[1], big: boolean) {
  ctx.log(`  ours (${spec.kind})`);
  const ours = await ctx.run('ours', spec, { big });
  ctx.log(`  peer (${spec.kind})`);
  const peer = await ctx.run('peer', spec, { big });
  return { ours, peer };
}

export const editTiny: BenchCase = {
  name: 'edit-tiny',
  summary: 'one PropMEND edit on the shipped model with the shipped hypernetwork (first validation instance)',
  async run(ctx) {
    const { model, world } = shippedAssets();
    const tokenizer = await loadTokenizer(model);
    const config = readModelConfig(model);
    const instance = readInstances(join(world, 'splits', 'validation.ripple.jsonl'))[0];
    if (!instance) throw new Error('the shipped validation split is empty');
    const eos = config.eosTokenIds[0] as number;
    const longest = Math.max(
      ...instance.questions.map((q) => tokenizer.encode(` ${q.answer}`, { addSpecialTokens: false }).length),
    );
    const spec: EditSpec = {
      kind: 'edit',
      ...ctx.settings,
      model,
      hypernet: join(REPO_ROOT, 'assets', 'hypernets', 'propmend', 'hypernet.safetensors'),
      fact: [...tokenizer.encode(instance.fact, { addSpecialTokens: true }), eos],
      questions: instance.questions.map((q) => tokenizer.encode(q.question, { addSpecialTokens: true })),
      maxNewTokens: longest + 2,
    };
    const { ours, peer } = await runBoth(ctx, spec, false);
    return editOutcome('edit-tiny', ours, peer, spec);
  },
};

function llama1B(ctx: CaseContext): string {
  const made = makeLlama1B({ out: defaultLlama1BDir('bf16'), dtype: 'bf16', log: ctx.log });
  if (made.created) ctx.log(`  generated ${made.dir} in ${made.seconds.toFixed(1)} s`);
  return made.dir;
}

/** The 1B-shaped checkpoint with what its cases draw token ids from: the special ids to avoid, BOS and EOS. */
function llama1BTokens(ctx: CaseContext) {
  const model = llama1B(ctx);
  const config = readModelConfig(model);
  return {
    model,
    config,
    avoid: specials(config),
    bos: config.bosTokenId === null ? [] : [config.bosTokenId],
    eos: config.eosTokenIds[0] as number,
  };
}

export const edit1B: BenchCase = {
  name: 'edit-1b',
  summary:
    'one PropMEND edit on the Llama-3.2-1B-shaped checkpoint: max layers 4-15, 32-token fact, 8 questions',
  async run(ctx) {
    const { model, config, avoid, bos, eos } = llama1BTokens(ctx);
    const spec: EditSpec = {
      kind: 'edit',
      ...ctx.settings,
      model,
      hypernet: join(CACHE, 'hypernet-llama-1b-max', 'hypernet.safetensors'),
      createHypernet: { layers: MAX_LAYERS_1B, rank: 1920, seed: 0 },
      fact: [...bos, ...spreadIds(32 - bos.length - 1, config.vocabSize, 1, avoid), eos],
      questions: Array.from({ length: 8 }, (_, q) => [
        ...bos,
        ...spreadIds(11, config.vocabSize, 100 + q, avoid),
      ]),
      maxNewTokens: 8,
    };
    const { ours, peer } = await runBoth(ctx, spec, true);
    return editOutcome('edit-1b', ours, peer, spec);
  },
};

/** Matmul FLOPs of one forward pass: 2 per multiply-add of every linear, the head and attention's two products. */
export function forwardFlops(config: ModelConfig, batch: number, length: number): number {
  const d = config.hiddenSize;
  const q = config.numHeads * config.headDim;
  const kv = config.numKvHeads * config.headDim;
  const perLayer = d * q + 2 * d * kv + q * d + 3 * d * config.intermediateSize;
  const tokens = batch * length;
  const linears = 2 * tokens * (config.numLayers * perLayer + config.vocabSize * d);
  const attention = 2 * 2 * batch * length * length * q * config.numLayers;
  return linears + attention;
}

export const FB_SHAPES = { '1x32': [1, 32], '8x64': [8, 64] } as const;

export const forwardBackward: BenchCase = {
  name: 'forward-backward',
  summary: `mean next-token loss + gradients of every parameter, first ${FORWARD_BACKWARD_LAYERS} layers of the 1B shape, 1x32 and 8x64, vs a MatMul GEMM peak`,
  async run(ctx) {
    const made = makeLlama1B({
      out: defaultLlama1BDir('bf16').replace(/$/, `-${FORWARD_BACKWARD_LAYERS}l`),
      dtype: 'bf16',
      layers: FORWARD_BACKWARD_LAYERS,
      log: ctx.log,
    });
    const config = readModelConfig(made.dir);
    const avoid = specials(config);
    const batches: Record<string, number[][]> = {};
    for (const [name, [b, t]] of Object.entries(FB_SHAPES))
      batches[name] = Array.from({ length: b }, (_, r) => spreadIds(t, config.vocabSize, 1000 + r, avoid));
    const spec: ForwardBackwardSpec = {
      kind: 'forward-backward',
      ...ctx.settings,
      model: made.dir,
      batches,
      gemm: [1024, 2048, 8192],
    };
    const { ours, peer } = await runBoth(ctx, spec, true);
    const [m, k, n] = spec.gemm as [number, number, number];
    const peakFlops = (2 * m * k * n) / seriesMedian(ours, 'gemm');
    const shapes: Record<string, unknown> = {};
    let agree = true;
    const notes: string[] = [];
    for (const [name, [b, t]] of Object.entries(FB_SHAPES)) {
      const flops = 3 * forwardFlops(config, b, t);
      const o = seriesMedian(ours, name);
      const p = seriesMedian(peer, name);
      const lo = ours.check[`loss_${name}`] as number;
      const lp = peer.check[`loss_${name}`] as number;
      agree &&= relDiff(lo, lp) < 1e-3;
      shapes[name] = {
        ours_s: o,
        peer_s: p,
        ratio: o / p,
        flops,
        ours_tokens_per_s: (b * t) / o,
        peer_tokens_per_s: (b * t) / p,
        gemm_fraction: flops / o / peakFlops,
        peer_gemm_fraction: flops / p / peakFlops,
        loss: { ours: lo, peer: lp },
      };
      notes.push(
        `${name}: ${((b * t) / o).toFixed(0)} vs ${((b * t) / p).toFixed(0)} tok/s, ${((100 * flops) / o / peakFlops).toFixed(0)}% of GEMM peak`,
      );
    }
    notes.push(`peak ${(peakFlops / 1e9).toFixed(0)} GFLOP/s`);
    return {
      row: caseRow('forward-backward', ours, peer, {
        series: '8x64',
        agree,
        notes: notes.join('; '),
        extra: {
          gemm_fraction: (shapes['8x64'] as { gemm_fraction: number }).gemm_fraction,
          gemm_peak_gflops: peakFlops / 1e9,
          gemm_shape: spec.gemm,
          model_layers: FORWARD_BACKWARD_LAYERS,
          flop_count:
            '3 x forward matmul FLOPs (backward = gradient w.r.t. inputs + w.r.t. weights, each as many as forward); forward = 2·tokens·(layers·(q,k,v,o,gate,up,down params) + vocab·hidden) + 4·B·T²·heads·head_dim·layers (attention scores and weighted sum)',
          shapes,
        },
      }),
      raw: { ours, peer },
    };
  },
};

/** Settings of both metatrain cases: the shipped PropMEND config's coefficients, clip and learning rate. */
const META = { lr: 3e-4, clip: 100, editCoefficient: 0.1, localityCoefficient: 1.0 } as const;

function metaOutcome(name: string, ours: SideResult, peer: SideResult, spec: MetaTrainSpec): CaseOutcome {
  const lo = ours.check.first_loss as number;
  const lp = peer.check.first_loss as number;
  const go = ours.check.first_grad_norm as number;
  const gp = peer.check.first_grad_norm as number;
  const agree = relDiff(lo, lp) < 1e-3 && relDiff(go, gp) < 1e-2;
  const o = seriesMedian(ours, 'iteration');
  const p = seriesMedian(peer, 'iteration');
  return {
    row: caseRow(name, ours, peer, {
      series: 'iteration',
      agree,
      notes: `${(1 / o).toFixed(2)} vs ${(1 / p).toFixed(2)} it/s; first loss ${lo.toFixed(5)} vs ${lp.toFixed(5)}, grad norm rel.diff ${relDiff(go, gp).toExponential(1)}`,
      extra: {
        ours_iterations_per_s: 1 / o,
        peer_iterations_per_s: 1 / p,
        speedup: p / o,
        episodes: spec.episodes.length,
        ours_check: ours.check,
        peer_check: peer.check,
      },
    }),
    raw: { ours, peer },
  };
}

export const metatrainTiny: BenchCase = {
  name: 'metatrain-tiny',
  summary:
    'meta-training iterations/s on the shipped model from the shipped hypernetwork (train instances, 1 per step)',
  async run(ctx) {
    const { model, world } = shippedAssets();
    const tokenizer = await loadTokenizer(model);
    const config = readModelConfig(model);
    const eos = config.eosTokenIds[0] as number;
    const encode = (text: string, special: boolean) => tokenizer.encode(text, { addSpecialTokens: special });
    const texts = readLocalityTexts(join(world, 'corpus.jsonl'));
    const instances = readInstances(join(world, 'splits', 'train.ripple.jsonl')).slice(0, 8);
    const spec: MetaTrainSpec = {
      kind: 'metatrain',
      ...ctx.settings,
      ...META,
      model,
      hypernet: join(REPO_ROOT, 'assets', 'hypernets', 'propmend', 'hypernet.safetensors'),
      episodes: instances.map((instance, i) => ({
        fact: [...encode(instance.fact, true), eos],
        questions: instance.questions
          .filter((q) => q.kind !== 'locality')
          .map((q) => questionRow(encode, eos, q.question, q.answer)),
        locality: localityRows(tokenizer, texts, instance.entities, 2, new Rng(`bench-locality:${i}`)),
      })),
    };
    const { ours, peer } = await runBoth(ctx, spec, false);
    return metaOutcome('metatrain-tiny', ours, peer, spec);
  },
};

export const metatrain1B: BenchCase = {
  name: 'metatrain-1b',
  summary:
    'meta-training iterations/s on the 1B-shaped checkpoint, max layers 4-15, the edit-1b hypernetwork',
  async run(ctx) {
    const { model, config, avoid, bos, eos } = llama1BTokens(ctx);
    const spec: MetaTrainSpec = {
      kind: 'metatrain',
      ...ctx.settings,
      ...META,
      model,
      hypernet: join(CACHE, 'hypernet-llama-1b-max', 'hypernet.safetensors'),
      createHypernet: { layers: MAX_LAYERS_1B, rank: 1920, seed: 0 },
      episodes: Array.from({ length: 4 }, (_, e) => ({
        fact: [...bos, ...spreadIds(30, config.vocabSize, 200 + e, avoid), eos],
        questions: Array.from({ length: 4 }, (_, q) => ({
          ids: [...bos, ...spreadIds(14, config.vocabSize, 300 + 10 * e + q, avoid), eos],
          answerLength: 4,
        })),
        locality: Array.from({ length: 2 }, (_, r) => [
          ...bos,
          ...spreadIds(15, config.vocabSize, 400 + 10 * e + r, avoid),
        ]),
      })),
    };
    const { ours, peer } = await runBoth(ctx, spec, true);
    return metaOutcome('metatrain-1b', ours, peer, spec);
  },
};

/** The dataset checker on 10,000 instances (bench/check.bench.ts): cold (fresh process) and incremental. */
export const lspCheck: BenchCase = {
  name: 'lsp-check',
  summary:
    'the dataset checker on 10,000 generated instances: cold CLI run and re-check after a one-line edit',
  async run(ctx) {
    if (!existsSync(join(REPO_ROOT, 'dist', 'cli.js')))
      throw new Error('dist/cli.js is missing; run `node esbuild.js` first');
    const stdout = await new Promise<string>((done, fail) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(REPO_ROOT, 'bench', 'check.bench.ts'),
          '--json',
          '--cold-runs',
          String(Math.max(3, ctx.settings.reps)),
        ],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
      });
      child.on('error', fail);
      child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`check bench exited ${code}`))));
    });
    const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      instances: number;
      cold: { medianMs: number };
      firstCheckInProcessMs: number;
      recheck: { medianMs: number; maxMs: number };
      errorsInCleanFile: number;
    };
    return {
      row: {
        name: 'lsp-check',
        ours_s: r.cold.medianMs / 1000,
        peer_s: null,
        ratio: null,
        ours_peak_rss_bytes: null,
        peer_peak_rss_bytes: null,
        agree: null,
        notes: `${r.instances} instances: cold ${r.cold.medianMs} ms, re-check median ${r.recheck.medianMs} ms (max ${r.recheck.maxMs}); no peer`,
        cold_ms: r.cold.medianMs,
        recheck_median_ms: r.recheck.medianMs,
        recheck_max_ms: r.recheck.maxMs,
        first_check_in_process_ms: r.firstCheckInProcessMs,
      },
      raw: { ours: null, peer: null },
    };
  },
};

export const CASES: readonly BenchCase[] = [
  editTiny,
  edit1B,
  metatrainTiny,
  metatrain1B,
  forwardBackward,
  lspCheck,
];
