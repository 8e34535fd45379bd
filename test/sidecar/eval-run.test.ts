// `propmend/evaluate` over dataset files runs `propmend eval`'s job on the sidecar's loaded model: several
// files (splits), any methods, a limit, progress per (method, instance), a result file with the contract of
// `propmend eval` written into out_dir, cancellation that writes nothing, and clear refusals. Over real stdio
// through the extension's SidecarManager, on the shipped model at one thread.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeLaunch, SidecarManager, SidecarRequestError } from '../../extension/sidecar/manager';
import { withMemoryTuning } from '../../server/common/memory-env';
import { ALL_EVAL_METHODS, EvaluateRequest, LoadModelRequest, RuntimeErrorCode } from '../../server/protocol';
import { readEvalResult } from '../../server/report';
import { EVAL_METHODS as RUNTIME_EVAL_METHODS } from '../../server/runtime/eval/run-methods';
import { bundle, ensureBundle, model, root } from './support';

let work: string;
let manager: SidecarManager;
let inDomain: string;
let validation: string;

before(async () => {
  ensureBundle();
  work = mkdtempSync(join(tmpdir(), 'propmend-eval-run-'));
  cpSync(join(root, 'examples', 'dataset'), join(work, 'dataset'), { recursive: true });
  inDomain = join(work, 'dataset', 'test-in-domain.ripple.jsonl');
  validation = join(work, 'dataset', 'validation.ripple.jsonl');
  manager = new SidecarManager(() => nodeLaunch(bundle, work));
  await manager.request(LoadModelRequest, { folder: model, threads: 1 });
});

after(async () => {
  await manager.stop();
  rmSync(work, { recursive: true, force: true });
});

test("the sidecar is launched with the runtime processes' malloc tuning", () => {
  const launch = nodeLaunch('/x/sidecar.js');
  assert.equal(launch.env?.GLIBC_TUNABLES, withMemoryTuning(process.env).GLIBC_TUNABLES);
  assert.equal(launch.env?.ELECTRON_RUN_AS_NODE, '1');
});

test("the protocol's method list is the runtime's", () => {
  assert.deepEqual([...ALL_EVAL_METHODS], [...RUNTIME_EVAL_METHODS]);
});

test('two splits, three methods, limit 1: progress per method and instance, one result file', async () => {
  const out = join(work, 'results');
  const messages: string[] = [];
  const fractions: number[] = [];
  const result = await manager.request(
    EvaluateRequest,
    {
      source: { kind: 'datasets', files: [inDomain, validation] },
      methods: ['base', 'prepend', 'propmend'],
      limit: 1,
      out_dir: out,
    },
    {
      onProgress: ({ fraction, message }) => {
        messages.push(message);
        fractions.push(fraction);
      },
    },
  );
  assert.deepEqual(
    result.results.map((r) => [r.method, r.n_instances]),
    [
      ['base', 2],
      ['prepend', 2],
      ['propmend', 2],
    ],
  );
  assert.deepEqual(
    result.by_split?.map((r) => `${r.method}/${r.split}/${r.n_instances}`),
    [
      'base/test-in-domain/1',
      'base/validation/1',
      'prepend/test-in-domain/1',
      'prepend/validation/1',
      'propmend/test-in-domain/1',
      'propmend/validation/1',
    ],
  );
  assert.equal(result.result_file, join(out, 'eval-base+prepend+propmend.json'));
  const loaded = readEvalResult(result.result_file as string);
  assert.ok(loaded.ok, loaded.ok ? '' : loaded.message);
  if (!loaded.ok) return;
  assert.deepEqual(loaded.result.config.methods, ['base', 'prepend', 'propmend']);
  assert.deepEqual(loaded.result.config.datasets, [inDomain, validation]);
  assert.equal(loaded.result.config.limit, 1);
  assert.equal(loaded.result.environment?.threads, 1);
  assert.deepEqual(
    [...new Set(loaded.result.records.map((r) => `${r.dataset}:${r.line}`))].sort(),
    [`${inDomain}:1`, `${validation}:1`],
    'records carry the dataset file and line of their instance',
  );
  // base answers are the unedited ones: after equals before
  for (const r of loaded.result.records.filter((r) => r.method === 'base')) assert.equal(r.after, r.before);
  const base = result.results[0];
  const baseRecords = loaded.result.records.filter((r) => r.method === 'base' && r.kind === 'locality');
  assert.equal(base?.n_questions.locality, baseRecords.length);
  assert.equal(base?.specificity, baseRecords.filter((r) => r.exact_match).length / baseRecords.length);
  assert.ok(
    messages.some((m) => /evaluating: propmend 2\/2$/.test(m)),
    messages.join(' | '),
  );
  // (progress is sent at most every 100 ms, so the fast methods' own messages may be skipped)
  assert.deepEqual(
    fractions,
    [...fractions].sort((a, b) => a - b),
    'progress never goes back',
  );
  assert.equal(fractions.at(-1), 1);
  await assert.rejects(
    manager.request(EvaluateRequest, {
      source: { kind: 'datasets', files: [inDomain, validation] },
      methods: ['base', 'prepend', 'propmend'],
      limit: 1,
      out_dir: out,
    }),
    (e: unknown) => e instanceof SidecarRequestError && e.code === RuntimeErrorCode.OutputRefused,
    'an existing result file is not replaced without force',
  );
});

test('one instance of a file (the Test Explorer) runs the same job; a spec refuses baselines', async () => {
  const one = await manager.request(EvaluateRequest, {
    source: { kind: 'instance', file: validation, line: 2 },
    methods: ['base', 'propmend'],
  });
  assert.deepEqual(
    one.results.map((r) => r.n_instances),
    [1, 1],
  );
  assert.equal(one.result_file, undefined, 'no out_dir: no file');
  await assert.rejects(
    manager.request(EvaluateRequest, { source: { kind: 'instance', file: validation, line: 9 } }),
    (e: unknown) =>
      e instanceof SidecarRequestError &&
      e.code === RuntimeErrorCode.InputError &&
      /validation\.ripple\.jsonl:9 holds no instance/.test(e.message),
  );
  await assert.rejects(
    manager.request(EvaluateRequest, {
      source: { kind: 'spec', file: join(root, 'examples', 'new-person.edit.json') },
      methods: ['memit'],
    }),
    (e: unknown) =>
      e instanceof SidecarRequestError &&
      e.code === RuntimeErrorCode.InputError &&
      /evaluated with base, mend, propmend only, not "memit"/.test(e.message),
  );
});

test('cancel as soon as it runs: Cancelled, and no result file', async () => {
  const out = join(work, 'cancelled');
  const controller = new AbortController();
  await assert.rejects(
    manager.request(
      EvaluateRequest,
      {
        source: { kind: 'dataset', file: inDomain },
        methods: ['base', 'propmend'],
        out_dir: out,
      },
      {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      },
    ),
    (e: unknown) => e instanceof SidecarRequestError && e.code === RuntimeErrorCode.Cancelled,
  );
  assert.ok(!existsSync(out) || readdirSync(out).length === 0, 'a cancelled run writes nothing');
});
