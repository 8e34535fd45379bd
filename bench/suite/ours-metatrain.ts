// The "ours" side of the meta-training cases (metatrain-tiny, metatrain-1b): each iteration is the body of
// meta-training's loop with one instance per step (capture with statistics updated, the outer batch with its
// pre-edit locality log-probabilities, the meta-loss graph with hypernetwork gradients, one clipped Adam
// step), timed as a whole. Measures only; calls product code, never changes it.
import { adamStep } from '../../server/runtime/edit/adam';
import { captureFactors, normalizers } from '../../server/runtime/edit/factors';
import { loadHypernet } from '../../server/runtime/edit/hypernet-checkpoint';
import { metaBatch } from '../../server/runtime/edit/meta-batch';
import { metaLoss } from '../../server/runtime/edit/meta-graph';
import { newAdamWState } from '../../server/runtime/train/adamw';
import { createHypernet, loadModel, repeat, seconds } from './ours-common';
import type { MetaTrainSpec, SideResult } from './spec';

export async function runMetaTrain(
  spec: MetaTrainSpec,
): Promise<Omit<SideResult, 'side' | 'versions' | 'peak_rss_bytes'>> {
  const { model, runtime, load_s } = loadModel(spec.model, spec.threads);
  const first = spec.episodes[0];
  if (!first) throw new Error('the metatrain case has no episodes');
  await createHypernet(spec.hypernet, spec.createHypernet, first.fact, model);
  const { net } = loadHypernet(spec.hypernet, model);
  const optimizer = newAdamWState(net.params);
  const losses: number[] = [];
  const norms: number[] = [];
  const series = await repeat(spec, async (i) => {
    const episode = spec.episodes[i % spec.episodes.length] as (typeof spec.episodes)[number];
    const t0 = performance.now();
    const factors = await captureFactors(model, net, { rows: [episode.fact], scoredFrom: [1] });
    const normalisers = normalizers(net, factors, true);
    const batch = await metaBatch(model, episode.questions, episode.locality);
    const r = await metaLoss(
      model,
      net,
      factors,
      normalisers,
      batch,
      { cEdit: spec.editCoefficient, cLoc: spec.localityCoefficient },
      true,
    );
    const grads = new Map([...(r.gradients ?? new Map())].map(([n, t]) => [n, t.data]));
    norms.push(adamStep(optimizer, net.params, grads, () => spec.lr, spec.clip));
    losses.push(r.loss);
    return { iteration: seconds(t0) };
  });
  await runtime.dispose();
  return {
    series,
    load_s,
    check: { first_loss: losses[0] ?? Number.NaN, first_grad_norm: norms[0] ?? Number.NaN, losses },
  };
}
