// Which hypernetwork an edit job uses and loading it with the job's input errors: an explicit path, or the
// shipped one for the method (assets/hypernets/<method>/) when the model is the shipped model. Loader and
// compatibility failures become JobInputError naming the file and the mismatch.
import { join, resolve } from 'node:path';
import { packageRoot, shippedAssets } from '../common/paths';
import { type LoadedHypernetwork, loadHypernet } from '../runtime/edit/hypernet-checkpoint';
import type { LanguageModel } from '../runtime/models/language-model';
import { JobInputError } from './context';

/** The shipped hypernetwork folder of a method. */
export function shippedHypernet(method: 'propmend' | 'mend'): string {
  return join(packageRoot(), 'assets', 'hypernets', method);
}

/** The hypernetwork path to use: the given one, else the shipped one for the shipped model. */
export function resolveHypernet(method: 'propmend' | 'mend', modelDir: string, given?: string): string {
  if (given) return resolve(given);
  if (resolve(modelDir) === resolve(shippedAssets().model)) return shippedHypernet(method);
  throw new JobInputError(
    `no hypernetwork is shipped for ${resolve(modelDir)}; pass --hypernet DIR (train one with propmend train)`,
  );
}

export type { LoadedHypernetwork };

/** Loads and checks a hypernetwork; with `method`, it must be of that method. */
export function loadHypernetForJob(
  path: string,
  model: LanguageModel,
  method?: 'propmend' | 'mend',
): LoadedHypernetwork {
  let loaded: LoadedHypernetwork;
  try {
    loaded = loadHypernet(path, model);
  } catch (error) {
    throw new JobInputError((error as Error).message);
  }
  if (method && loaded.method !== method)
    throw new JobInputError(
      `${loaded.file} is a ${loaded.method} hypernetwork, not ${method}; pass the matching --method`,
    );
  return loaded;
}
