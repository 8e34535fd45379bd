// The meta-training configuration (`propmend train --config FILE.json`, schema in
// schemas/train-config.schema.json): defaults per method, validation of a parsed object with messages that
// name the field and the fix, the shipped defaults of the four paths (a config that omits them trains on the
// shipped model and world, so a copied examples/ folder trains), and the fields recorded in checkpoints. No IO.

import { dirname, join, resolve } from 'node:path';
import { OUTER_LOSSES, type OuterLoss } from './episode';
import { INNER_LOSSES, type InnerLoss } from './hypernetwork';
import { LAYER_PRESETS, type LayerSpec } from './layers';

export const METHODS = ['propmend', 'mend'] as const;
export type Method = (typeof METHODS)[number];

export interface TrainConfig {
  readonly method: Method;
  /** Paths, relative to the config file's folder; '' (omitted) = the shipped asset (resolveTrainPaths). */
  readonly model: string;
  readonly train: string;
  readonly validation: string;
  /** JSONL whose lines' `text` fields give unrelated locality text. */
  readonly locality: string;
  readonly layers: LayerSpec;
  readonly rank: number;
  readonly shared: boolean;
  readonly inner_loss: InnerLoss;
  readonly outer_loss: OuterLoss;
  readonly edit_lr_init: number;
  readonly lr: number;
  /** Adam learning rate of alpha; null: the same as lr (the reference's effective behaviour, spec pitfall 7). */
  readonly alpha_lr: number | null;
  readonly instances_per_step: number;
  readonly clip: number;
  readonly c_edit: number;
  readonly c_loc: number;
  readonly locality_rows: number;
  readonly seed: number;
  readonly max_steps: number;
  readonly validate_every: number;
  readonly validation_instances: number;
  readonly early_stopping: { readonly metric: ValidationMetric; readonly patience: number };
  readonly checkpoint_every: number;
}

export const VALIDATION_METRICS = ['efficacy_nonverbatim', 'efficacy_verbatim', 'loss'] as const;
export type ValidationMetric = (typeof VALIDATION_METRICS)[number];

/** Settings that worked on the shipped world (notes), for both methods; MEND differs in layers and outer loss. */
export function defaultConfig(method: Method): TrainConfig {
  return {
    method,
    model: '',
    train: '',
    validation: '',
    locality: '',
    layers: method === 'propmend' ? 'max' : 'top',
    rank: 1920,
    shared: true,
    inner_loss: 'clm',
    outer_loss: method === 'propmend' ? 'propagation' : 'direct',
    edit_lr_init: 1e-4,
    lr: 1e-4,
    alpha_lr: null,
    instances_per_step: 8,
    clip: 100,
    c_edit: 0.1,
    c_loc: 1.0,
    locality_rows: 2,
    seed: 0,
    max_steps: 2000,
    validate_every: 50,
    validation_instances: 100,
    early_stopping: {
      metric: method === 'propmend' ? 'efficacy_nonverbatim' : 'efficacy_verbatim',
      patience: 4,
    },
    checkpoint_every: 10,
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Fills defaults and checks every field; errors name the file, the field and the valid values. */
export function parseTrainConfig(value: unknown, file: string): TrainConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(`${file}: the config must be a JSON object`);
  const { $schema: _schema, ...raw } = value as Record<string, unknown>;
  const method = raw.method ?? 'propmend';
  if (!METHODS.includes(method as Method))
    throw new ConfigError(
      `${file}: "method" must be one of ${METHODS.join(', ')}, got ${JSON.stringify(method)}`,
    );
  const base = defaultConfig(method as Method);
  const known = new Set(Object.keys(base));
  for (const key of Object.keys(raw))
    if (!known.has(key))
      throw new ConfigError(`${file}: unknown field "${key}"; valid fields: ${[...known].join(', ')}`);
  const merged = { ...base, ...raw } as Record<string, unknown>;
  const fail = (field: string, what: string) =>
    new ConfigError(`${file}: "${field}" must be ${what}, got ${JSON.stringify(merged[field])}`);
  for (const f of TRAIN_PATHS)
    if (typeof merged[f] !== 'string' || (raw[f] !== undefined && merged[f] === ''))
      throw fail(f, 'a path (or leave it out for the shipped one)');
  const layers = merged.layers;
  if (
    !(typeof layers === 'string' && LAYER_PRESETS.includes(layers as never)) &&
    !(Array.isArray(layers) && layers.length > 0 && layers.every((l) => Number.isInteger(l) && l >= 0))
  )
    throw fail('layers', `one of ${LAYER_PRESETS.join(', ')} or a list of layer indices`);
  const positiveInt = [
    'rank',
    'instances_per_step',
    'locality_rows',
    'max_steps',
    'validate_every',
    'validation_instances',
    'checkpoint_every',
  ];
  for (const f of positiveInt)
    if (!Number.isInteger(merged[f]) || (merged[f] as number) < 1) throw fail(f, 'a positive integer');
  for (const f of ['lr', 'clip', 'edit_lr_init'])
    if (typeof merged[f] !== 'number' || !((merged[f] as number) > 0)) throw fail(f, 'a positive number');
  for (const f of ['c_edit', 'c_loc'])
    if (typeof merged[f] !== 'number' || (merged[f] as number) < 0) throw fail(f, 'a non-negative number');
  if (merged.alpha_lr !== null && !(typeof merged.alpha_lr === 'number' && merged.alpha_lr > 0))
    throw fail('alpha_lr', 'a positive number or null');
  if (!Number.isInteger(merged.seed)) throw fail('seed', 'an integer');
  if (typeof merged.shared !== 'boolean') throw fail('shared', 'true or false');
  if (!INNER_LOSSES.includes(merged.inner_loss as InnerLoss))
    throw fail('inner_loss', INNER_LOSSES.join(' or '));
  if (!OUTER_LOSSES.includes(merged.outer_loss as OuterLoss))
    throw fail('outer_loss', OUTER_LOSSES.join(' or '));
  const es = merged.early_stopping as Record<string, unknown> | undefined;
  if (
    typeof es !== 'object' ||
    es === null ||
    !VALIDATION_METRICS.includes(es.metric as ValidationMetric) ||
    !Number.isInteger(es.patience) ||
    (es.patience as number) < 1
  )
    throw fail(
      'early_stopping',
      `{"metric": one of ${VALIDATION_METRICS.join(', ')}, "patience": a positive integer (validations)}`,
    );
  return merged as unknown as TrainConfig;
}

/** The config's file paths; each omitted one means the shipped asset (shippedTrainPaths). */
export const TRAIN_PATHS = ['model', 'train', 'validation', 'locality'] as const;

/** The shipped model and world files a config without paths trains on. */
export function shippedTrainPaths(shipped: {
  model: string;
  world: string;
}): Record<(typeof TRAIN_PATHS)[number], string> {
  return {
    model: shipped.model,
    train: join(shipped.world, 'splits', 'train.ripple.jsonl'),
    validation: join(shipped.world, 'splits', 'validation.ripple.jsonl'),
    locality: join(shipped.world, 'corpus.jsonl'),
  };
}

/** Makes the paths absolute: given ones against the config file's folder, omitted ones the shipped assets. */
export function resolveTrainPaths(
  config: TrainConfig,
  configFile: string,
  shipped: { model: string; world: string },
): TrainConfig {
  const base = dirname(resolve(configFile));
  const defaults = shippedTrainPaths(shipped);
  const pick = (f: (typeof TRAIN_PATHS)[number]) =>
    config[f] === '' ? defaults[f] : resolve(base, config[f]);
  return {
    ...config,
    model: pick('model'),
    train: pick('train'),
    validation: pick('validation'),
    locality: pick('locality'),
  };
}
