// Which format a file is: from its name (*.ripple.jsonl, *.kb.json, *.edit.json), else by sniffing
// the start of a .json file for a RippleEdits record. Pure; the CLI's --kind overrides it.
import { basename } from 'node:path';

/** The file formats we read: edit-instance datasets, KBs, edit specs and RippleEdits benchmark records. */
export const FILE_KINDS = ['ripple', 'kb', 'edit', 'rippleedits'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** RippleEdits' own benchmark file names, plus our suffix for renamed copies. */
const RIPPLEEDITS_NAMES = /^(popular|random|recent)\.json$|\.rippleedits\.json$/;

export function kindFromName(path: string): FileKind | undefined {
  const name = basename(path);
  if (name.endsWith('.ripple.jsonl')) return 'ripple';
  if (name.endsWith('.kb.json')) return 'kb';
  if (name.endsWith('.edit.json')) return 'edit';
  if (RIPPLEEDITS_NAMES.test(name)) return 'rippleedits';
  return undefined;
}

/** True when a .json text starts like a RippleEdits file: an array whose first record has "edit" or "example_type". */
export function looksLikeRippleEdits(head: string): boolean {
  const start = head.slice(0, 4096).replace(/^\uFEFF/, '');
  return /^\s*\[\s*\{\s*"(example_type|edit|Logical_Generalization)"\s*:/.test(start);
}

/** The kind of a file from its name, or from its first bytes for other .json files. */
export function detectKind(path: string, head?: string): FileKind | undefined {
  const byName = kindFromName(path);
  if (byName) return byName;
  if (path.endsWith('.json') && head !== undefined && looksLikeRippleEdits(head)) return 'rippleedits';
  return undefined;
}

export function parseKind(value: string): FileKind | undefined {
  return (FILE_KINDS as readonly string[]).includes(value) ? (value as FileKind) : undefined;
}
