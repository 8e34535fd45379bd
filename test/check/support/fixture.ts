// Test helper for the checker: fixtures are small in-memory file trees whose text carries inline range
// markers, ⟦text⟧{severity code}, and checkDiagnostics() asserts that exactly those diagnostics appear.
// Owns the marker syntax and the comparison only; the checker under test is server/lsp/check.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CheckSession } from '../../../server/lsp/check/session';
import { diskSource, memorySource } from '../../../server/lsp/check/source';
import type { CheckSettings, Diagnostic, FileKind, Fix, Range } from '../../../server/lsp/check/types';

/** Where fixture files live; nothing is written there, the checker reads them from memory. */
export const FIXTURE_ROOT = '/fixture';

export interface Fixture {
  /** Files relative to the fixture root, with markers. `⟦⟧{info no-kb}` marks an empty range. */
  readonly files: Readonly<Record<string, string>>;
  /** Files to check (default: every file whose name the checker knows). */
  readonly check?: readonly string[];
  readonly settings?: CheckSettings;
  /** Force the kind of every checked file (the CLI's --kind). */
  readonly kind?: FileKind;
  /** For each code, a substring every message with that code must contain. */
  readonly messages?: Readonly<Record<string, string>>;
  /** Codes left out of the comparison. */
  readonly ignore?: readonly string[];
}

export interface Expected {
  readonly range: Range;
  readonly severity: Diagnostic['severity'];
  readonly code: string;
}

const SEVERITY_WORDS: Record<string, Diagnostic['severity']> = {
  error: 'error',
  warning: 'warning',
  info: 'information',
  hint: 'hint',
};

/** Removes the markers from a fixture text: returns the clean text and the diagnostics the markers expect. */
export function parseMarkers(marked: string): { text: string; expected: Expected[] } {
  let text = '';
  let line = 0;
  let character = 0;
  const open: Array<{ line: number; character: number }> = [];
  const expected: Expected[] = [];
  for (let i = 0; i < marked.length; i++) {
    const ch = marked[i] as string;
    if (ch === '⟦') {
      open.push({ line, character });
      continue;
    }
    if (ch === '⟧') {
      const start = open.pop();
      if (!start) throw new Error(`fixture: "⟧" without "⟦" at line ${line + 1}`);
      const close = marked.indexOf('}', i);
      if (marked[i + 1] !== '{' || close === -1) {
        throw new Error(`fixture: "⟧" must be followed by {severity code} at line ${line + 1}`);
      }
      for (const part of marked.slice(i + 2, close).split(';')) {
        const [word, code, ...rest] = part.trim().split(/\s+/);
        const severity = SEVERITY_WORDS[word ?? ''];
        if (!severity || !code || rest.length > 0) {
          throw new Error(`fixture: bad annotation "${part}" at line ${line + 1}; write {error some-code}`);
        }
        expected.push({ range: { start, end: { line, character } }, severity, code });
      }
      i = close;
      continue;
    }
    text += ch;
    if (ch === '\n') {
      line++;
      character = 0;
    } else character++;
  }
  if (open.length > 0) throw new Error('fixture: unclosed "⟦"');
  return { text, expected };
}

export function formatRange(r: Range): string {
  return `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;
}

function describe(d: Expected): string {
  return `${formatRange(d.range)} ${d.severity} ${d.code}`;
}

/** Shows the diagnostics as markers in the clean text, for failure messages. */
function render(text: string, diags: readonly Expected[]): string {
  return diags
    .map((d) => {
      const lineText = text.split('\n')[d.range.start.line] ?? '';
      const endChar = d.range.end.line === d.range.start.line ? d.range.end.character : lineText.length;
      return `${describe(d)}: ${lineText.slice(0, d.range.start.character)}⟦${lineText.slice(d.range.start.character, endChar)}⟧`;
    })
    .join('\n');
}

export interface FixtureRun {
  readonly session: CheckSession;
  /** Clean text of every fixture file, by relative path. */
  readonly texts: ReadonlyMap<string, string>;
  /** Diagnostics of every checked file, by relative path. */
  readonly results: ReadonlyMap<string, readonly Diagnostic[]>;
}

/** Checks a fixture without comparing; the disk is visible behind the in-memory files (tokenizers). */
export async function runFixture(
  fixture: Fixture,
): Promise<FixtureRun & { expected: Map<string, Expected[]> }> {
  const texts = new Map<string, string>();
  const expected = new Map<string, Expected[]>();
  const files = new Map<string, string>();
  for (const [rel, marked] of Object.entries(fixture.files)) {
    const parsed = parseMarkers(marked);
    texts.set(rel, parsed.text);
    expected.set(rel, parsed.expected);
    files.set(join(FIXTURE_ROOT, rel), parsed.text);
  }
  const source = memorySource(files, diskSource);
  const session = new CheckSession({ source, settings: fixture.settings ?? {}, root: FIXTURE_ROOT });
  const targets = fixture.check ?? [...texts.keys()].filter((rel) => session.kindOf(join(FIXTURE_ROOT, rel)));
  const results = new Map<string, readonly Diagnostic[]>();
  for (const rel of targets) {
    const report = await session.check(join(FIXTURE_ROOT, rel), fixture.kind ? { kind: fixture.kind } : {});
    results.set(rel, report.diagnostics);
  }
  return { session, texts, results, expected };
}

/** Asserts that every checked file has exactly the marked diagnostics (ranges, severities, codes). */
export async function checkDiagnostics(fixture: Fixture): Promise<FixtureRun> {
  const run = await runFixture(fixture);
  const ignore = new Set(fixture.ignore ?? []);
  for (const [rel, diags] of run.results) {
    const text = run.texts.get(rel) ?? '';
    const actual = diags
      .filter((d) => !ignore.has(d.code))
      .map((d) => ({ range: d.range, severity: d.severity, code: d.code }));
    const want = (run.expected.get(rel) ?? []).filter((d) => !ignore.has(d.code));
    const sort = (xs: Expected[]) => xs.map(describe).sort();
    const messages = diags.filter((d) => !ignore.has(d.code)).map((d) => `  ${describe(d)}: ${d.message}`);
    assert.deepEqual(
      sort(actual),
      sort(want),
      `${rel}: diagnostics differ\nactual:\n${render(text, actual)}\nmessages:\n${messages.join('\n')}`,
    );
    for (const [code, fragment] of Object.entries(fixture.messages ?? {})) {
      for (const d of diags.filter((x) => x.code === code)) {
        assert.ok(d.message.includes(fragment), `${rel}: ${code} message "${d.message}" lacks "${fragment}"`);
      }
    }
    for (const d of diags) assertWellFormed(d, text, rel);
  }
  return run;
}

/** A diagnostic's range lies inside the text, its message is one line without a trailing period. */
export function assertWellFormed(d: Diagnostic, text: string, where: string): void {
  const lines = text.split('\n');
  const inside = (p: Range['start']) =>
    Number.isInteger(p.line) &&
    Number.isInteger(p.character) &&
    p.line >= 0 &&
    p.character >= 0 &&
    p.line < Math.max(1, lines.length) &&
    p.character <= (lines[p.line] ?? '').length;
  assert.ok(
    inside(d.range.start) && inside(d.range.end),
    `${where}: ${d.code} range ${formatRange(d.range)} outside the text`,
  );
  assert.ok(
    d.range.start.line < d.range.end.line ||
      (d.range.start.line === d.range.end.line && d.range.start.character <= d.range.end.character),
    `${where}: ${d.code} range ${formatRange(d.range)} ends before it starts`,
  );
  assert.ok(
    d.message.length > 0 && !d.message.includes('\n'),
    `${where}: ${d.code} message must be one line`,
  );
  assert.ok(!/\.$/.test(d.message), `${where}: ${d.code} message ends with a period: ${d.message}`);
  assert.ok(['error', 'warning', 'information', 'hint'].includes(d.severity));
}

/** Applies a quick fix's edits (all in the same file) to a text. */
export function applyFix(text: string, fix: Fix): string {
  const lines = text.split('\n');
  const offset = (p: Range['start']) => {
    let o = 0;
    for (let i = 0; i < p.line; i++) o += (lines[i] as string).length + 1;
    return o + p.character;
  };
  const edits = [...fix.edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of edits) {
    assert.equal(e.path, undefined, 'fixture fixes edit their own file');
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  }
  return out;
}
