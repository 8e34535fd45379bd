// The runtime settings (`propmend.model`, `propmend.provider`, `propmend.threads`, `propmend.hypernetwork`)
// read into the parameters the sidecar takes: empty paths mean the shipped assets, relative paths resolve
// against the first workspace folder, `~` against the home folder, bad values fall back to the default with a
// problem to show. Plain data without `vscode` (unit-tested); vscode-runtime.ts reads the configuration.
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type LoadModelParams, RUNTIME_PROVIDERS, type RuntimeProvider } from '../../server/protocol';

/** The setting keys (under the `propmend` section) and what other parts write into them. */
export const SETTING = {
  model: 'model',
  provider: 'provider',
  threads: 'threads',
  hypernetwork: 'hypernetwork',
} as const;

export interface RuntimeSettings {
  /** The model folder dataset instances are edited on (the shipped model when the setting is empty). */
  readonly model: LoadModelParams;
  /** A hypernetwork folder or file; undefined: the shipped one for the method. */
  readonly hypernet?: string;
  /** The model setting names the shipped model (empty). */
  readonly shippedModel: boolean;
  /** Settings that had a bad value and were replaced by their default, as sentences. */
  readonly problems: readonly string[];
}

export interface SettingsContext {
  /** The shipped model folder (inside the extension). */
  readonly shippedModel: string;
  /** The first workspace folder, against which relative paths resolve. */
  readonly workspaceFolder?: string;
  readonly home?: string;
}

/** A path setting as an absolute path; undefined when empty. */
export function resolveSettingPath(value: unknown, context: SettingsContext): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const given = value.trim();
  const home = context.home ?? homedir();
  if (given === '~' || given.startsWith('~/')) return join(home, given.slice(1));
  if (isAbsolute(given)) return resolve(given);
  return resolve(context.workspaceFolder ?? home, given);
}

/** The value to write for a chosen path: relative to the workspace folder when inside it, else absolute. */
export function settingPathFor(path: string, context: SettingsContext): string {
  if (resolve(path) === resolve(context.shippedModel)) return '';
  if (!context.workspaceFolder) return resolve(path);
  const rel = relative(context.workspaceFolder, path);
  return rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) ? rel : resolve(path);
}

/** Reads the four runtime settings; `get(key)` returns the configured value of `propmend.<key>`. */
export function readRuntimeSettings(
  get: (key: string) => unknown,
  context: SettingsContext,
): RuntimeSettings {
  const problems: string[] = [];
  const providerValue = get(SETTING.provider);
  let provider: RuntimeProvider = 'cpu';
  if (typeof providerValue === 'string' && (RUNTIME_PROVIDERS as readonly string[]).includes(providerValue))
    provider = providerValue as RuntimeProvider;
  else if (providerValue !== undefined && providerValue !== null && providerValue !== '')
    problems.push(
      `propmend.provider is ${JSON.stringify(providerValue)}; valid: ${RUNTIME_PROVIDERS.join(', ')} (using cpu)`,
    );
  const threadsValue = get(SETTING.threads);
  let threads: number | undefined;
  if (typeof threadsValue === 'number' && Number.isInteger(threadsValue) && threadsValue >= 1)
    threads = threadsValue;
  else if (threadsValue !== undefined && threadsValue !== null && threadsValue !== 0)
    problems.push(
      `propmend.threads is ${JSON.stringify(threadsValue)}; give a whole number of threads, or 0 for all cores (using all cores)`,
    );
  const model = resolveSettingPath(get(SETTING.model), context);
  const hypernet = resolveSettingPath(get(SETTING.hypernetwork), context);
  return {
    model: {
      folder: model ?? context.shippedModel,
      provider,
      ...(threads !== undefined ? { threads } : {}),
    },
    ...(hypernet !== undefined ? { hypernet } : {}),
    shippedModel: model === undefined || resolve(model) === resolve(context.shippedModel),
    problems,
  };
}

/** Whether an edit spec's text names its own hypernetwork (then the setting does not replace it). */
export function specNamesHypernetwork(specText: string): boolean {
  try {
    const value = JSON.parse(specText) as unknown;
    return typeof value === 'object' && value !== null && Object.hasOwn(value, 'hypernetwork');
  } catch {
    return false;
  }
}

/**
 * The `hypernet` to send with an edit: the setting, unless the edit spec names its own; for a dataset instance
 * always the setting. The sidecar checks it against the model and answers a clear error when it does not fit.
 */
export function hypernetParam(
  settings: RuntimeSettings,
  spec: { readonly text: string } | undefined,
): { hypernet?: string } {
  if (settings.hypernet === undefined) return {};
  if (spec && specNamesHypernetwork(spec.text)) return {};
  return { hypernet: settings.hypernet };
}
