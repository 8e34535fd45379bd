// Reading a *.ripple.jsonl file from disk into typed instances for the runtime and the CLI: the safe file
// read, the JSONL model and the tolerant instance reader, with every unusable line kept as a problem value.
// The checker does not use this (it keeps lines incremental and reports through its rules).
import { basename } from 'node:path';
import { type FileProblem, readTextFile } from './file';
import { type Instance, readInstance } from './instance';
import { parseJsonl } from './jsonl';
import { splitFromFileName } from './splits';

export interface InstanceRecord {
  /** 0-based line number. */
  readonly line: number;
  readonly instance: Instance;
}

export interface LineProblem {
  /** 0-based line number. */
  readonly line: number;
  readonly message: string;
}

export type InstanceFile =
  | { readonly ok: true; readonly instances: InstanceRecord[]; readonly problems: LineProblem[] }
  | { readonly ok: false; readonly problem: FileProblem; readonly message: string };

/** The instances of a *.ripple.jsonl file; `split` defaults to the one the file name implies. */
export function readInstanceFile(path: string): InstanceFile {
  const read = readTextFile(path);
  if (!read.ok) return read;
  const defaultSplit = splitFromFileName(basename(path));
  const instances: InstanceRecord[] = [];
  const problems: LineProblem[] = [];
  for (const { line, doc } of parseJsonl(read.text)) {
    const instance = doc.ok ? readInstance(doc.value, defaultSplit) : undefined;
    if (instance) instances.push({ line, instance });
    else
      problems.push({
        line,
        message: doc.ok ? 'not a JSON object' : (doc.syntaxErrors()[0]?.message ?? 'invalid JSON'),
      });
  }
  return { ok: true, instances, problems };
}
