// Validators for the meta-training requests of the runtime sidecar protocol: each returns the typed value or
// the first bad field with a message naming the fix (errors as values at the boundary). Plain data only.

import type { InspectTrainingParams, StartTrainingParams, TrainingStatusParams } from './train-types';
import type { Checked } from './validate';

const show = (v: unknown) => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)));
const bad = (field: string, message: string): Checked<never> => ({ ok: false, field, message });

function fields(v: unknown, keys: readonly string[]): Record<string, unknown> | Checked<never> {
  const o = v ?? {};
  if (typeof o !== 'object' || Array.isArray(o))
    return bad('params', `params must be an object, got ${show(v)}`);
  const extra = Object.keys(o).find((k) => !keys.includes(k));
  if (extra !== undefined)
    return bad(extra, `unknown parameter "${extra}"; valid: ${keys.join(', ') || 'none'}`);
  return o as Record<string, unknown>;
}

const isChecked = (v: unknown): v is Checked<never> =>
  typeof v === 'object' && v !== null && (v as { ok?: unknown }).ok === false;

function path(
  o: Record<string, unknown>,
  field: string,
  required: boolean,
): string | undefined | Checked<never> {
  const v = o[field];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '')
    return bad(field, `${field} must be a non-empty path, got ${show(v)}`);
  return v;
}

function count(o: Record<string, unknown>, field: string, min: number): number | undefined | Checked<never> {
  const v = o[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    return bad(field, `${field} must be an integer of at least ${min}, got ${show(v)}`);
  return v;
}

export function checkStartTrainingParams(v: unknown): Checked<StartTrainingParams> {
  const o = fields(v, ['config', 'out', 'max_steps']);
  if (isChecked(o)) return o;
  const config = path(o, 'config', true);
  if (isChecked(config)) return config;
  const out = path(o, 'out', false);
  if (isChecked(out)) return out;
  const maxSteps = count(o, 'max_steps', 1);
  if (isChecked(maxSteps)) return maxSteps;
  return {
    ok: true,
    value: {
      config: config as string,
      ...(out !== undefined ? { out } : {}),
      ...(maxSteps !== undefined ? { max_steps: maxSteps } : {}),
    },
  };
}

export function checkInspectTrainingParams(v: unknown): Checked<InspectTrainingParams> {
  const o = fields(v, ['config', 'out']);
  if (isChecked(o)) return o;
  const config = path(o, 'config', true);
  if (isChecked(config)) return config;
  const out = path(o, 'out', false);
  if (isChecked(out)) return out;
  return { ok: true, value: { config: config as string, ...(out !== undefined ? { out } : {}) } };
}

export function checkTrainingStatusParams(v: unknown): Checked<TrainingStatusParams> {
  const o = fields(v, ['since']);
  if (isChecked(o)) return o;
  const since = count(o, 'since', 0);
  if (isChecked(since)) return since;
  return { ok: true, value: since !== undefined ? { since } : {} };
}
