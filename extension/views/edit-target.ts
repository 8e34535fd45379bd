// Which edit a command means: the active edit spec, the dataset instance under the cursor, or the instance a
// CodeLens or test item names; with the label people read and the located questions of that instance.
// Plain data from a path, a text and a line; must not import `vscode`.
import { basename } from 'node:path';
import type { InstanceSource } from '../../server/protocol';
import { type LocatedInstance, locateDataset, locateSpec } from './question-locations';

export interface EditTarget {
  readonly source: InstanceSource;
  readonly file: string;
  /** `marta-quill.edit.json`, `train.ripple.jsonl:2 (train-2)`. */
  readonly label: string;
  readonly instance?: LocatedInstance;
}

export type TargetResult =
  | { readonly ok: true; readonly target: EditTarget }
  | { readonly ok: false; readonly reason: string };

export function isSpecFile(path: string): boolean {
  return path.endsWith('.edit.json');
}

export function isDatasetFile(path: string): boolean {
  return path.endsWith('.ripple.jsonl');
}

/** The edit at `line` (0-based) of `file`: the spec itself, or the dataset instance on that line. */
export function editTarget(file: string, text: string, line: number): TargetResult {
  if (isSpecFile(file)) {
    const instance = locateSpec(text);
    return {
      ok: true,
      target: {
        source: { kind: 'spec', file },
        file,
        label: basename(file),
        ...(instance ? { instance } : {}),
      },
    };
  }
  if (!isDatasetFile(file))
    return {
      ok: false,
      reason: `${basename(file)} is neither an edit spec (*.edit.json) nor a dataset (*.ripple.jsonl)`,
    };
  const instance = locateDataset(text).find((i) => i.line === line);
  if (!instance)
    return {
      ok: false,
      reason: `line ${line + 1} of ${basename(file)} holds no instance that parses; put the cursor on an instance's line`,
    };
  const name = instance.id ? ` (${instance.id})` : '';
  return {
    ok: true,
    target: {
      source: { kind: 'instance', file, line: line + 1 },
      file,
      label: `${basename(file)}:${line + 1}${name}`,
      instance,
    },
  };
}
