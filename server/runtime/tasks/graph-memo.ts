// The compiled-graph memo: each graph a task builds for a model is built and compiled once per model and key,
// shared by concurrent callers, and forgotten when its compile fails so a later call retries.
// Holds no sessions itself (the runtime's LRU owns them) and drops everything with the model (a WeakMap).
import type { Graph } from '../ir/graph';
import type { LanguageModel } from '../models/language-model';
import type { CompiledGraph } from '../session/runtime';

const compiled = new WeakMap<LanguageModel, Map<string, Promise<CompiledGraph>>>();

/**
 * The compiled graph for `key` on `model`, calling `build` only the first time. A key names everything the
 * graph depends on besides the model: start it with the task (`forward:`, `score:`, `capture:`, ...) and
 * add the variant (edited linears, requested parameters), so two tasks never share a key by accident.
 */
export async function modelGraph(
  model: LanguageModel,
  key: string,
  build: () => Graph,
): Promise<CompiledGraph> {
  let perModel = compiled.get(model);
  if (!perModel) {
    perModel = new Map();
    compiled.set(model, perModel);
  }
  const memo = perModel;
  let entry = memo.get(key);
  if (!entry) {
    entry = model.runtime.compile(build());
    memo.set(key, entry);
    entry.catch(() => memo.delete(key));
  }
  return entry;
}

/** How many graphs are memoised for `model` (for tests and diagnostics). */
export function memoisedGraphs(model: LanguageModel): number {
  return compiled.get(model)?.size ?? 0;
}
