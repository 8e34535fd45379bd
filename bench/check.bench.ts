// Benchmark: the dataset checker on a generated 10,000-instance *.ripple.jsonl against examples/world.kb.json.
// Measures a cold check (a fresh `propmend check` process, bundle load included) and re-checking after a
// one-line edit through CheckSession, the incremental path the language server uses. Table on stdout,
// --json for machines, logs on stderr. Writes only into a temp folder; owns no product code.
// Usage: node --import tsx bench/check.bench.ts [--json] [--instances N] [--cold-runs N] [--edits N] [--out DIR]
// (--out keeps the generated dataset in DIR for manual runs)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Rng } from '../server/common/random';
import { containsPhrase } from '../server/dataset/match';
import { CheckSession } from '../server/lsp/check/session';
import { diskSource } from '../server/lsp/check/source';
import type { Diagnostic } from '../server/lsp/check/types';

const root = resolve(__dirname, '..');
const KB_FILE = join(root, 'examples', 'world.kb.json');
const CLI = join(root, 'bin', 'propmend.js');
const SEED = 20240611;

/** The targets the README states, in milliseconds. */
const TARGET_COLD_MS = 1000;
const TARGET_RECHECK_MS = 50;

interface KbJson {
  relations: Record<string, { domain: string; range: string }>;
  entities: Record<string, { type: string; aliases?: string[]; facts?: Record<string, string | string[]> }>;
  types: Record<string, { literal?: boolean }>;
}

const FIRST = ['Ava', 'Bram', 'Cleo', 'Dario', 'Elin', 'Faro', 'Gila', 'Hale', 'Iona', 'Jory', 'Kess', 'Lio'];
const LAST = ['Aster', 'Brook', 'Corran', 'Dune', 'Ember', 'Frost', 'Grey', 'Holt', 'Isle', 'Jarrow', 'Kell'];

function objectsOf(kb: KbJson, entity: string, relation: string): string[] {
  const v = kb.entities[entity]?.facts?.[relation];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Every relation path of up to `depth` hops from `entity` that the KB's facts determine, with its end. */
function chains(kb: KbJson, entity: string, depth: number): Array<{ path: string[]; end: string }> {
  const out: Array<{ path: string[]; end: string }> = [];
  const walk = (at: string, path: string[]) => {
    if (path.length >= depth) return;
    for (const relation of Object.keys(kb.entities[at]?.facts ?? {})) {
      const objects = objectsOf(kb, at, relation);
      if (objects.length !== 1) continue;
      const end = objects[0] as string;
      out.push({ path: [...path, relation], end });
      if (kb.entities[end]) walk(end, [...path, relation]);
    }
  };
  walk(entity, []);
  return out;
}

function words(relation: string): string {
  return relation.replace(/_/g, ' ');
}

/** A clean instance: a new person, one fact about a known entity, its multi-hop consequences, locality. */
function instance(kb: KbJson, rng: Rng, index: number): Record<string, unknown> {
  const subject = `${rng.pick(FIRST)} ${rng.pick(LAST)} ${index + 1}`;
  const personRelations = Object.entries(kb.relations).filter(
    ([, r]) => r.domain === 'person' && !kb.types[r.range]?.literal,
  );
  const [relation, rel] = rng.pick(personRelations);
  const candidates = Object.entries(kb.entities).filter(([, e]) => e.type === rel.range);
  const [object] = rng.pick(candidates);
  const fact = `${subject} ${words(relation)} ${object}.`;
  const aliasesOf = (name: string) => kb.entities[name]?.aliases ?? [];
  const propagation = [
    { path: [relation], end: object },
    ...chains(kb, object, 2).map((c) => ({ path: [relation, ...c.path], end: c.end })),
  ]
    .slice(0, 4)
    .map(({ path, end }) => ({
      question: `Asked of ${subject}: what is the ${path.map(words).reverse().join(' of the ')}?`,
      answer: end,
      ...(aliasesOf(end).length > 0 ? { aliases: aliasesOf(end) } : {}),
      path,
      verbatim: [end, ...aliasesOf(end)].some((form) => containsPhrase(fact, form)),
    }));
  const known = Object.keys(kb.entities).filter((e) => chains(kb, e, 1).length > 0);
  const locality = rng.sample(known, 2).map((entity) => {
    const { path, end } = rng.pick(chains(kb, entity, 1));
    return {
      question: `Asked of ${entity}: what is the ${words(path[0] as string)}?`,
      answer: end,
      ...(aliasesOf(end).length > 0 ? { aliases: aliasesOf(end) } : {}),
      entity,
      path,
    };
  });
  return {
    id: `bench-${index + 1}`,
    // One line in ten is a validation instance, so the cross-split rules do real work on every re-check.
    ...(index % 10 === 9 ? { split: 'validation' } : {}),
    fact,
    subject,
    subject_type: 'person',
    triples: [{ subject, relation, object }],
    propagation,
    locality,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function count(diags: readonly Diagnostic[], severity: Diagnostic['severity']): number {
  return diags.filter((d) => d.severity === severity).length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' },
      instances: { type: 'string', default: '10000' },
      'cold-runs': { type: 'string', default: '5' },
      edits: { type: 'string', default: '20' },
      out: { type: 'string' },
    },
  });
  const n = Number(values.instances);
  const coldRuns = Number(values['cold-runs']);
  const edits = Number(values.edits);
  for (const [name, v] of [
    ['--instances', n],
    ['--cold-runs', coldRuns],
    ['--edits', edits],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  }
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    throw new Error('dist/cli.js is missing; run `node esbuild.js` (or `npm run build`) first');
  }

  const dir = values.out ? resolve(values.out) : mkdtempSync(join(tmpdir(), 'propmend-check-bench-'));
  mkdirSync(dir, { recursive: true });
  try {
    const kb = JSON.parse(readFileSync(KB_FILE, 'utf8')) as KbJson;
    writeFileSync(join(dir, 'world.kb.json'), readFileSync(KB_FILE));
    const rng = new Rng(SEED);
    const lines = Array.from({ length: n }, (_, i) => JSON.stringify(instance(kb, rng, i)));
    const file = join(dir, 'train.ripple.jsonl');
    const text = `${lines.join('\n')}\n`;
    writeFileSync(file, text);
    process.stderr.write(`check bench: ${n} instances, ${(text.length / 1e6).toFixed(1)} MB in ${file}\n`);

    // Cold: a fresh CLI process each time (Node start, bundle load, schema compile, check, JSON output).
    const cold: number[] = [];
    let coldErrors = 0;
    for (let r = 0; r < coldRuns; r++) {
      const t0 = performance.now();
      const run = spawnSync(process.execPath, [CLI, 'check', file, '--json'], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      cold.push(performance.now() - t0);
      if (run.status !== 0 && run.status !== 1)
        throw new Error(`propmend check exited ${run.status}: ${run.stderr}`);
      const report = JSON.parse(run.stdout) as { files: Array<{ diagnostics: Array<{ severity: string }> }> };
      coldErrors = report.files.flatMap((f) => f.diagnostics).filter((d) => d.severity === 'error').length;
    }

    // In-process: the first check of a session, then re-checks after one-line edits (the LSP path).
    const session = new CheckSession({ source: diskSource, root: dir });
    const t0 = performance.now();
    const first = await session.check(file, { text });
    const firstMs = performance.now() - t0;
    const recheck: number[] = [];
    const editRng = new Rng(SEED + 1);
    let found = 0;
    for (let e = 0; e < edits; e++) {
      const k = editRng.int(n);
      const parsed = JSON.parse(lines[k] as string) as { propagation: Array<{ answer: string }> };
      const q = parsed.propagation[parsed.propagation.length - 1] as { answer: string };
      // Alternate: break an answer (one new diagnostic), then restore the file.
      const edited = lines.slice();
      q.answer = `${q.answer} Jr`;
      edited[k] = JSON.stringify(parsed);
      const editedText = `${edited.join('\n')}\n`;
      const t = performance.now();
      const report = await session.check(file, { text: editedText });
      recheck.push(performance.now() - t);
      found += count(report.diagnostics, 'error');
      const t2 = performance.now();
      await session.check(file, { text });
      recheck.push(performance.now() - t2);
    }

    const result = {
      instances: n,
      megabytes: Number((text.length / 1e6).toFixed(2)),
      errorsInCleanFile: coldErrors,
      warningsInCleanFile: count(first.diagnostics, 'warning'),
      cold: { runs: coldRuns, medianMs: Math.round(median(cold)), minMs: Math.round(Math.min(...cold)) },
      firstCheckInProcessMs: Math.round(firstMs),
      recheck: {
        edits: recheck.length,
        medianMs: Number(median(recheck).toFixed(1)),
        maxMs: Number(Math.max(...recheck).toFixed(1)),
        errorsFoundPerBrokenEdit: found / edits,
      },
      targets: { coldMs: TARGET_COLD_MS, recheckMs: TARGET_RECHECK_MS },
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const rows: Array<[string, string]> = [
      ['instances (MB)', `${n} (${result.megabytes} MB)`],
      ['errors / warnings in the clean file', `${coldErrors} / ${result.warningsInCleanFile}`],
      [
        `cold check, fresh process (median of ${coldRuns})`,
        `${result.cold.medianMs} ms (min ${result.cold.minMs})`,
      ],
      ['first check in-process (no Node start)', `${result.firstCheckInProcessMs} ms`],
      [
        `re-check after a one-line edit (${recheck.length} edits)`,
        `median ${result.recheck.medianMs} ms, max ${result.recheck.maxMs} ms`,
      ],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`${'step'.padEnd(width)}  measured\n${'-'.repeat(width)}  --------\n`);
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  } finally {
    if (!values.out) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`check bench: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
