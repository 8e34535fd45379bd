// Compiled-graph memo for the edit area's graphs, per model and key (a failed compile is forgotten so the
// next call retries). The engine's task graphs keep their own memo in tasks/; this one holds edit graphs only.
import type { Graph } from '../ir/graph';
import type { LanguageModel } from '../models/language-model';
import type { CompiledGraph } from '../session/runtime';

const compiled = new WeakMap<LanguageModel, Map<string, Promise<CompiledGraph>>>();

export function editGraph(model: LanguageModel, key: string, build: () => Graph): Promise<CompiledGraph> {
  let perModel = compiled.get(model);
  if (!perModel) {
    perModel = new Map();
    compiled.set(model, perModel);
  }
  let entry = perModel.get(key);
  if (!entry) {
    entry = model.runtime.compile(build());
    perModel.set(key, entry);
    entry.catch(() => perModel.delete(key));
  }
  return entry;
}
