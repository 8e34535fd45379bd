// The teacher-forced decoder graph that every loss-based task starts from (scoring, gradients, capture, and
// PropMEND's edited losses): token ids, attention bias, rotary tables, next-token targets and a loss mask as
// inputs, and the feeds for one padded batch. What a task computes from the logits is the task's business.
import type { HostTensor } from '../ir/dtype';
import { int64Tensor } from '../ir/dtype';
import { Graph, type Tensor } from '../ir/graph';
import { type LanguageModel, weightFeeds } from '../models/language-model';
import { buildDecoder, type LinearHook } from '../models/transformer';
import { attentionBias, type PaddedBatch, positionIds, rotaryTables, type Targets } from './batch';

export interface LossGraphParts {
  readonly graph: Graph;
  /** [B, T, V]. */
  readonly logits: Tensor;
  /** int64 [B, T]: the next token at each position. */
  readonly targets: Tensor;
  /** [B, T]: 1 where a position is scored. */
  readonly mask: Tensor;
  /** The decoder's parameter inputs by HF name. */
  readonly params: ReadonlyMap<string, Tensor>;
}

/**
 * Decoder over [B, T] with next-token targets and a loss mask as extra inputs. `hook` is called once, after
 * the data inputs are declared, to wrap the linear layers (declare edit factors in it with editInputs).
 */
export function lossGraph(
  model: LanguageModel,
  name: string,
  hook?: (g: Graph) => LinearHook,
): LossGraphParts {
  const { config, dtype } = model;
  const graph = new Graph(name);
  const ids = graph.input('input_ids', 'int64', ['B', 'T']);
  const attnBias = graph.input('attn_bias', dtype, ['B', 1, 'T', 'T']);
  const cos = graph.input('rope_cos', dtype, ['B', 'T', config.headDim]);
  const sin = graph.input('rope_sin', dtype, ['B', 'T', config.headDim]);
  const targets = graph.input('targets', 'int64', ['B', 'T']);
  const mask = graph.input('loss_mask', dtype, ['B', 'T']);
  const out = buildDecoder(
    graph,
    config,
    { ids, attnBias, cos, sin },
    { dtype, ...(hook ? { hook: hook(graph) } : {}) },
  );
  return { graph, logits: out.logits, targets, mask, params: out.params };
}

/** Feeds of a lossGraph for one padded batch: weights, token inputs, targets and mask (no edit factors). */
export function lossFeeds(
  model: LanguageModel,
  batch: PaddedBatch,
  targets: Targets,
): Record<string, HostTensor> {
  const { cos, sin } = rotaryTables(
    model.dtype,
    positionIds(batch.mask, batch.batch),
    batch.batch,
    model.invFreq,
  );
  return {
    ...weightFeeds(model),
    input_ids: int64Tensor([batch.batch, batch.length], batch.ids),
    attn_bias: attentionBias(model.dtype, batch.batch, batch.length, batch.mask),
    rope_cos: cos,
    rope_sin: sin,
    targets: targets.targets,
    loss_mask: targets.lossMask,
  };
}
