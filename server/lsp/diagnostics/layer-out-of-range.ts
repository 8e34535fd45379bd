// Diagnostic: propmend/layer-out-of-range
// An edit spec layer index at or beyond the model's depth (config.json num_hidden_layers).
import { join } from 'node:path';
import { at, type Rule } from './rule';

export const layerOutOfRange: Rule = {
  code: 'layer-out-of-range',
  severity: 'error',
  edit(ctx, emit) {
    const layers = ctx.value.layers;
    const model = ctx.value.model;
    if (!Array.isArray(layers) || typeof model !== 'string') return;
    const config = ctx.readJson(join(ctx.resolve(model), 'config.json')) as
      | Record<string, unknown>
      | undefined;
    const depth = config?.num_hidden_layers ?? config?.n_layer;
    if (typeof depth !== 'number') return;
    layers.forEach((layer, i) => {
      if (typeof layer === 'number' && Number.isInteger(layer) && layer >= depth) {
        emit(
          at('layers', i),
          `layer ${layer} is out of range: the model has ${depth} layers (valid indices 0-${depth - 1})`,
        );
      }
    });
  },
};
