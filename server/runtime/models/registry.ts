// The table of supported model families, keyed by config.json's model_type (or architectures when model_type
// is missing). Adding a family takes its file beside this one (a FamilySpec), its name in MODEL_FAMILIES
// (config.ts), and its entry in SPECS below; a name without an entry does not compile. Owns no IO.
import { CheckpointError } from '../load/format';
import {
  configToJson,
  type FamilySpec,
  type ModelConfig,
  type ModelFamily,
  type ParameterSpec,
  RawConfig,
} from './config';
import { checkConfigBounds } from './config-bounds';
import { LLAMA } from './llama';
import { QWEN2 } from './qwen2';

/** Every name in MODEL_FAMILIES mapped to its spec: the mapped type makes a missing family a compile error. */
const SPECS: { readonly [F in ModelFamily]: FamilySpec } = {
  llama: LLAMA,
  qwen2: QWEN2,
};

export const FAMILIES: readonly FamilySpec[] = Object.freeze(Object.values(SPECS));

/** "llama, qwen2" — for error messages and docs. */
export function supportedModelTypes(): string {
  return FAMILIES.flatMap((f) => f.modelTypes).join(', ');
}

export function familySpec(family: ModelFamily): FamilySpec {
  const spec = FAMILIES.find((f) => f.family === family);
  if (!spec)
    throw new CheckpointError(
      `unknown model family "${family}" (valid: ${FAMILIES.map((f) => f.family).join(', ')})`,
    );
  return spec;
}

/** Picks the family of a raw config.json object; `file` names it in errors. */
export function familyOf(raw: Readonly<Record<string, unknown>>, file: string): FamilySpec {
  const modelType = raw.model_type;
  if (typeof modelType === 'string') {
    const hit = FAMILIES.find((f) => f.modelTypes.includes(modelType));
    if (hit) return hit;
    throw new CheckpointError(
      `${file}: model_type "${modelType}" is not supported (supported: ${supportedModelTypes()}); use a Llama or Qwen2 checkpoint`,
    );
  }
  const architectures = Array.isArray(raw.architectures)
    ? raw.architectures.filter((a) => typeof a === 'string')
    : [];
  const hit = FAMILIES.find((f) => f.architectures.some((a) => architectures.includes(a)));
  if (hit) return hit;
  throw new CheckpointError(
    `${file} has no model_type${architectures.length ? ` and its architectures (${architectures.join(', ')}) are not supported` : ' and no architectures'}; supported model_type values: ${supportedModelTypes()} (architectures: ${FAMILIES.flatMap((f) => f.architectures).join(', ')})`,
  );
}

/** Normalises a parsed config.json into a ModelConfig; throws CheckpointError naming `file` and the key. */
export function normalizeConfig(raw: unknown, file: string): ModelConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CheckpointError(`${file} must hold a JSON object (a Hugging Face config.json)`);
  }
  const obj = raw as Record<string, unknown>;
  const config = familyOf(obj, file).normalize(new RawConfig(obj, file));
  checkConfigBounds(config, file);
  return config;
}

/** Every parameter of the model in checkpoint order (no lm_head when the embeddings are tied). */
export function parameterNames(config: ModelConfig): ParameterSpec[] {
  return familySpec(config.family).parameterNames(config);
}

/** config.json content to save for `config`, with torch_dtype set. */
export function configJson(config: ModelConfig, torchDtype: string | null): Record<string, unknown> {
  return configToJson(config, torchDtype, familySpec(config.family).familyKeys(config));
}
