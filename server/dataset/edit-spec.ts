// The typed view of an edit spec (*.edit.json), read tolerantly like an instance: the paths it names (model,
// hypernetwork, KB) as written, the layers, the generation settings and the instance part. Paths are not
// resolved here: where a spec may point is the reader's policy (server/lsp/check/spec-paths.ts for the checker).
import { type Instance, readInstance } from './instance';

export const LAYER_PRESETS = ['top', 'mid-upper', 'max'] as const;
export type LayerPreset = (typeof LAYER_PRESETS)[number];

/** The spec fields that name files or folders, relative to the spec's folder. */
export const SPEC_PATH_FIELDS = ['model', 'hypernetwork', 'kb'] as const;
export type SpecPathField = (typeof SPEC_PATH_FIELDS)[number];

export interface EditSpec {
  /** Non-empty path strings as written; a null hypernetwork (raw gradient) is absent here. */
  readonly paths: Partial<Record<SpecPathField, string>>;
  /** A preset, or the integer indices with their positions in the `layers` list. */
  readonly layers?: LayerPreset | ReadonlyArray<{ readonly index: number; readonly layer: number }>;
  readonly maxNewTokens?: number;
  readonly promptTemplate?: string;
  readonly instance?: Instance;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Reads the spec fields of a parsed *.edit.json value; wrong-typed fields are left out. */
export function readEditSpec(value: unknown): EditSpec {
  const obj = isObj(value) ? value : {};
  const paths: Partial<Record<SpecPathField, string>> = {};
  for (const f of SPEC_PATH_FIELDS) {
    const v = obj[f];
    if (typeof v === 'string' && v !== '') paths[f] = v;
  }
  let layers: EditSpec['layers'];
  if (typeof obj.layers === 'string' && (LAYER_PRESETS as readonly string[]).includes(obj.layers))
    layers = obj.layers as LayerPreset;
  else if (Array.isArray(obj.layers)) {
    const list: Array<{ index: number; layer: number }> = [];
    obj.layers.forEach((layer: unknown, index) => {
      if (typeof layer === 'number' && Number.isInteger(layer)) list.push({ index, layer });
    });
    layers = list;
  }
  const generation = isObj(obj.generation) ? obj.generation : {};
  const instance = readInstance(value);
  return {
    paths,
    ...(layers !== undefined ? { layers } : {}),
    ...(typeof generation.max_new_tokens === 'number' ? { maxNewTokens: generation.max_new_tokens } : {}),
    ...(typeof generation.prompt_template === 'string' ? { promptTemplate: generation.prompt_template } : {}),
    ...(instance ? { instance } : {}),
  };
}
