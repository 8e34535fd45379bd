// Test helper: data-driven checker fixtures. A fixture holds several files (`//- /path` headers); inside
// them `⟦text⟧⟨severity code⟩` marks an expected diagnostic's exact range (optionally `⟨error code: words⟩`
// to require words in the message). checkDiagnostics() checks every file and compares all diagnostics.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CheckSession } from '../../server/lsp/check/session';
import { diskSource, memorySource } from '../../server/lsp/check/source';
import {
  type CheckSettings,
  type Diagnostic,
  type FileKind,
  type FileReport,
  MAX_DIAGNOSTICS_PER_FILE,
} from '../../server/lsp/check/types';

export interface Expected {
  readonly range: string;
  readonly severity: string;
  readonly code: string;
  readonly words?: string;
}

export interface FixtureFile {
  readonly path: string;
  readonly text: string;
  readonly expected: readonly Expected[];
}

const SEVERITY_NAMES: Record<string, Diagnostic['severity']> = {
  error: 'error',
  warning: 'warning',
  info: 'information',
  hint: 'hint',
};

function fmt(line: number, ch: number): string {
  return `${line}:${ch}`;
}

/** Strips the markers from one file's text, collecting what they expect. */
function parseFile(path: string, marked: string): FixtureFile {
  let text = '';
  let line = 0;
  let ch = 0;
  let open: string | undefined;
  const expected: Expected[] = [];
  for (let i = 0; i < marked.length; i++) {
    const c = marked[i] as string;
    if (c === '⟦') {
      open = fmt(line, ch);
      continue;
    }
    if (c === '⟧') {
      const close = marked.indexOf('⟩', i);
      if (open === undefined || marked[i + 1] !== '⟨' || close === -1)
        throw new Error(`bad marker in ${path} near ${fmt(line, ch)}`);
      const spec = marked.slice(i + 2, close);
      const m = /^(error|warning|info|hint) ([\w-]+)(?:: (.*))?$/.exec(spec);
      if (!m) throw new Error(`bad annotation "${spec}" in ${path}`);
      expected.push({
        range: `${open}-${fmt(line, ch)}`,
        severity: SEVERITY_NAMES[m[1] as string] as string,
        code: m[2] as string,
        ...(m[3] ? { words: m[3] } : {}),
      });
      open = undefined;
      i = close;
      continue;
    }
    text += c;
    if (c === '\n') {
      line++;
      ch = 0;
    } else ch++;
  }
  return { path, text, expected };
}

/** Splits a fixture into files: `//- /abs/path` starts a file; leading blank lines of a file are dropped. */
export function parseFixture(src: string): FixtureFile[] {
  const files: FixtureFile[] = [];
  const parts = src.split(/^\/\/- (\S+)[^\n]*\n/m);
  for (let i = 1; i < parts.length; i += 2) {
    files.push(parseFile(parts[i] as string, (parts[i + 1] as string).replace(/\n\s*$/, '\n')));
  }
  if (files.length === 0) throw new Error('a fixture needs at least one "//- /path" header');
  return files;
}

export interface FixtureOptions {
  readonly settings?: CheckSettings;
  /** Also read files missing from the fixture from disk (tokenizer folders). */
  readonly disk?: boolean;
  /** Force a kind for every checked file. */
  readonly kind?: FileKind;
  /** Information/hint codes to compare even though no marker names them (passing cases). */
  readonly compare?: readonly string[];
}

export interface FixtureResult {
  readonly files: readonly FixtureFile[];
  readonly diagnostics: ReadonlyMap<string, readonly Diagnostic[]>;
}

function describe(d: { range: string; severity: string; code: string }): string {
  return `${d.range} ${d.severity} ${d.code}`;
}

export function rangeText(d: Diagnostic): string {
  return `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;
}

/**
 * Checks every fixture file (root /ws stops the KB search) and asserts the diagnostics are exactly the
 * marked ones. Information and hint diagnostics are compared only for codes the fixture marks somewhere.
 */
export async function checkDiagnostics(src: string, options: FixtureOptions = {}): Promise<FixtureResult> {
  const files = parseFixture(src);
  const source = memorySource(
    new Map(files.map((f) => [f.path, f.text])),
    options.disk ? diskSource : undefined,
  );
  const session = new CheckSession({ source, settings: options.settings ?? {}, root: '/ws' });
  const marked = new Set([
    ...files.flatMap((f) => f.expected.map((e) => e.code)),
    ...(options.compare ?? []),
  ]);
  const diagnostics = new Map<string, readonly Diagnostic[]>();
  for (const f of files) {
    // Files of no checkable kind (a model's config.json) are context only.
    if (!options.kind && !session.kindOf(f.path)) continue;
    const report = await session.check(f.path, options.kind ? { kind: options.kind } : {});
    diagnostics.set(f.path, report.diagnostics);
    const actual = report.diagnostics.filter(
      (d) => d.severity === 'error' || d.severity === 'warning' || marked.has(d.code),
    );
    const got = actual
      .map((d) => describe({ range: rangeText(d), severity: d.severity, code: d.code }))
      .sort();
    const want = f.expected.map(describe).sort();
    assert.deepEqual(
      got,
      want,
      `diagnostics of ${f.path}:\n${actual.map((d) => `  ${rangeText(d)} ${d.code}: ${d.message}`).join('\n')}`,
    );
    for (const e of f.expected) {
      if (!e.words) continue;
      const d = actual.find((x) => rangeText(x) === e.range && x.code === e.code);
      assert.ok(
        d?.message.includes(e.words),
        `message of ${e.code} at ${e.range} should include "${e.words}", got "${d?.message}"`,
      );
    }
  }
  return { files, diagnostics };
}

/** Applies the first fix of the diagnostic with `code` in `path` and returns the new text. */
export function applyFix(result: FixtureResult, path: string, code: string, fixIndex = 0): string {
  const file = result.files.find((f) => f.path === path);
  const d = result.diagnostics.get(path)?.find((x) => x.code === code && (x.fixes?.length ?? 0) > fixIndex);
  const fix = d?.fixes?.[fixIndex];
  assert.ok(file && fix, `no fix ${fixIndex} for ${code} in ${path}`);
  const lines = file.text.split('\n');
  const offset = (p: { line: number; character: number }) =>
    lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  let text = file.text;
  const edits = [...fix.edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  for (const e of edits)
    text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  return text;
}

/** Every diagnostic has a known severity, a code, a message without a final period and an in-range position. */
export function assertWellFormed(report: FileReport, text: string): void {
  const lines = text.split('\n');
  assert.ok(
    report.diagnostics.length <= MAX_DIAGNOSTICS_PER_FILE + 1,
    `${report.diagnostics.length} diagnostics`,
  );
  for (const d of report.diagnostics) {
    assert.ok(['error', 'warning', 'information', 'hint'].includes(d.severity));
    assert.match(d.code, /^[a-z][a-z0-9-]*$/);
    assert.ok(d.message.length > 0 && !d.message.endsWith('.'), d.message);
    for (const p of [d.range.start, d.range.end]) {
      assert.ok(p.line >= 0 && p.line < lines.length, `line ${p.line} of ${lines.length}`);
      assert.ok(
        p.character >= 0 && p.character <= (lines[p.line] as string).length,
        `character ${p.character}`,
      );
    }
  }
}

/**
 * A fresh temp folder inside the repository's git-ignored .cache/, not the system temp folder: the KB
 * search walks up to the filesystem root, and a stray *.kb.json in /tmp would change what tests see.
 */
export function testTempDir(prefix: string): string {
  const base = resolve(__dirname, '../../.cache/test-tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix));
}
