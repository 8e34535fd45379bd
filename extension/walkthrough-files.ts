// The walkthrough's file work without `vscode` (unit-tested): where the bundled examples are copied (a new
// folder, never over an existing one), whether a folder is an example workspace, and the dataset line with a
// relation-name typo that the "fix a diagnostic" step opens. Reads and writes only the paths it is given.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Files that make a folder the example workspace (the ones the walkthrough opens). */
export const EXAMPLE_SPEC = 'new-person.edit.json';
export const EXAMPLE_DATASET = join('dataset', 'validation.ripple.jsonl');
/** The dataset with one mistake that the walkthrough writes into the example workspace. */
export const MISTAKE_FILE = join('walkthrough', 'fix-me.ripple.jsonl');
/** The folder name the examples are copied into (a number is added when it exists). */
export const EXAMPLES_FOLDER = 'propmend-examples';

export function isExampleWorkspace(folder: string): boolean {
  return existsSync(join(folder, EXAMPLE_SPEC)) && existsSync(join(folder, EXAMPLE_DATASET));
}

/** A folder under `parent` that does not exist yet: propmend-examples, propmend-examples-2, … */
export function exampleCopyTarget(parent: string, exists: (path: string) => boolean = existsSync): string {
  for (let n = 1; n < 1000; n++) {
    const path = join(parent, n === 1 ? EXAMPLES_FOLDER : `${EXAMPLES_FOLDER}-${n}`);
    if (!exists(path)) return path;
  }
  throw new Error(`${parent} already holds 999 example copies; choose another folder`);
}

/** Copies the bundled examples into a new folder under `parent`; returns it. Never writes over a file. */
export function copyExamples(source: string, parent: string): string {
  const target = exampleCopyTarget(parent);
  cpSync(source, target, { recursive: true, errorOnExist: true, force: false });
  return target;
}

export interface RelationTypo {
  /** The line with the typo. */
  readonly text: string;
  readonly wrong: string;
  readonly right: string;
}

/**
 * A dataset line with one relation name in a question's `path` misspelt (a letter dropped): the checker flags
 * it as an unknown relation and offers the did-you-mean quick fix. Takes the last relation of the first path
 * of two or more hops (a propagation question), else of the first path.
 */
export function relationTypo(line: string): RelationTypo | undefined {
  const paths = [...line.matchAll(/"path":\[([^\]]*)\]/g)];
  const chosen = paths.find((m) => (m[1] ?? '').split(',').length > 1) ?? paths[0];
  if (!chosen || chosen.index === undefined) return undefined;
  const names = [...(chosen[1] ?? '').matchAll(/"([a-z_]+)"/g)];
  const last = names.at(-1);
  if (!last || last.index === undefined) return undefined;
  const right = last[1] as string;
  if (right.length < 4) return undefined;
  const mid = Math.floor(right.length / 2);
  const wrong = right.slice(0, mid) + right.slice(mid + 1);
  // Offset of the name inside the line: the path's start, its text's start, the name's quote.
  const at = chosen.index + chosen[0].indexOf('[') + 1 + last.index + 1;
  return { text: line.slice(0, at) + wrong + line.slice(at + right.length), wrong, right };
}

/**
 * Writes the mistake file into an example workspace from its validation split's first instance, unless it
 * exists (the user's copy is left as it is); returns its path.
 */
export function writeMistakeFile(workspace: string): string {
  const target = join(workspace, MISTAKE_FILE);
  if (existsSync(target)) return target;
  const first = readFileSync(join(workspace, EXAMPLE_DATASET), 'utf8').split('\n')[0] ?? '';
  const typo = relationTypo(first);
  if (!typo)
    throw new Error(`${join(workspace, EXAMPLE_DATASET)}: its first line has no relation path to misspell`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, `${typo.text}\n`, { flag: 'wx' });
  return target;
}
