// Round trips of the runtime sidecar protocol (server/protocol): every request's parameters survive JSON
// encoding and the validator, bad parameters name their field, method names are unique `propmend/…`, and the
// protocol's tables agree with the runtime's. Owns no product code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as protocol from '../../server/protocol';
import {
  type ApplyEditResult,
  type Checked,
  checkApplyEditParams,
  checkEvaluateParams,
  checkExportModelParams,
  checkLoadModelParams,
  checkNoParams,
  checkProgressParams,
  checkRevertParams,
  checkSavePatchParams,
  EDIT_METHODS,
  EVAL_METHODS,
  type EvaluateResult,
  ProgressNotification,
  REQUEST_METHODS,
  RUNTIME_PROVIDERS,
  RuntimeErrorCode,
  runtimeErrorName,
  type StatusResult,
} from '../../server/protocol';
import { EXECUTION_PROVIDERS } from '../../server/runtime/backend/ort';
import { EDIT_METHODS as PATCH_METHODS } from '../../server/runtime/edit/hypernet-file';
import type { EditReport } from '../../server/runtime/edit/single-edit';

/** JSON encode and decode, as the wire does. */
const wire = <T>(v: T): unknown => JSON.parse(JSON.stringify(v));

function roundTrip<T>(check: (v: unknown) => Checked<T>, value: T): void {
  const back = check(wire(value));
  assert.ok(back.ok, `rejected ${JSON.stringify(value)}: ${back.ok ? '' : back.message}`);
  assert.deepEqual(back.value, value);
}

function rejects<T>(check: (v: unknown) => Checked<T>, value: unknown, field: string, words: RegExp): void {
  const back = check(wire(value));
  assert.equal(back.ok, false, `accepted ${JSON.stringify(value)}`);
  if (back.ok) return;
  assert.equal(back.field, field);
  assert.match(back.message, words);
}

test('every request parameter shape survives JSON and its validator unchanged', () => {
  roundTrip(checkLoadModelParams, {
    folder: '/m/tiny',
    provider: 'cpu',
    threads: 1,
    progressToken: 'load-1',
  });
  roundTrip(checkLoadModelParams, { folder: '/m/tiny' });
  roundTrip(checkApplyEditParams, { source: { kind: 'spec', file: '/w/a.edit.json' } });
  roundTrip(checkApplyEditParams, {
    source: { kind: 'instance', file: '/w/train.ripple.jsonl', line: 3 },
    method: 'mend',
    hypernet: '/h/mend',
  });
  roundTrip(checkApplyEditParams, { source: { kind: 'instance', file: '/w/d.ripple.jsonl', id: 'train-1' } });
  roundTrip(checkRevertParams, { id: 'p2' });
  roundTrip(checkRevertParams, {});
  roundTrip(checkNoParams, {});
  roundTrip(checkEvaluateParams, { source: { kind: 'dataset', file: '/w/v.ripple.jsonl' }, limit: 4 });
  roundTrip(checkEvaluateParams, {
    source: { kind: 'instance', file: '/w/v.ripple.jsonl', line: 1 },
    methods: ['base', 'propmend'],
  });
  roundTrip(checkSavePatchParams, { id: 'p1', path: '/w/a.edit.safetensors', force: true });
  roundTrip(checkExportModelParams, { out: '/w/edited' });
  roundTrip(checkExportModelParams, { out: '/w/edited', force: true, progressToken: 3 });
  roundTrip(checkProgressParams, { token: 7, method: 'propmend/applyEdit', fraction: 0.5, message: 'x' });
});

test('bad parameters are refused naming the field and the valid values', () => {
  rejects(checkLoadModelParams, { folder: '' }, 'folder', /non-empty string/);
  rejects(checkLoadModelParams, { folder: '/m', provider: 'tpu' }, 'provider', /cpu, cuda, webgpu/);
  rejects(checkLoadModelParams, { folder: '/m', threads: 0 }, 'threads', /at least 1/);
  rejects(checkLoadModelParams, { folder: '/m', thread: 2 }, 'thread', /unknown parameter "thread"/);
  rejects(checkLoadModelParams, [], 'params', /must be an object/);
  rejects(checkApplyEditParams, { source: { kind: 'file', file: '/a' } }, 'source.kind', /spec, instance/);
  rejects(
    checkApplyEditParams,
    { source: { kind: 'instance', file: '/a.ripple.jsonl' } },
    'source.line',
    /exactly one of "line"/,
  );
  rejects(
    checkApplyEditParams,
    { source: { kind: 'instance', file: '/a', line: 0 } },
    'source.line',
    /at least 1/,
  );
  rejects(
    checkApplyEditParams,
    { source: { kind: 'dataset', file: '/a' } },
    'source.kind',
    /one of spec, instance, got "dataset"/,
  );
  rejects(
    checkApplyEditParams,
    { source: { kind: 'spec', file: '/a' }, method: 'memit' },
    'method',
    /propmend, mend/,
  );
  rejects(
    checkEvaluateParams,
    { source: { kind: 'dataset', file: '/a' }, methods: [] },
    'methods',
    /non-empty/,
  );
  rejects(
    checkEvaluateParams,
    { source: { kind: 'dataset', file: '/a' }, methods: ['base', 'cpt'] },
    'methods[1]',
    /base, prepend, cpt-full, cpt-midupper, memit, mend, propmend/,
  );
  rejects(checkSavePatchParams, { id: 'p1', path: '/a', force: 'yes' }, 'force', /true or false/);
  rejects(checkNoParams, { all: true }, 'all', /valid: none/);
  rejects(checkProgressParams, { token: 1, method: 'm', fraction: 1.5, message: '' }, 'fraction', /0\.\.1/);
  rejects(
    checkProgressParams,
    { token: null, method: 'm', fraction: 1, message: '' },
    'token',
    /progressToken/,
  );
  rejects(
    checkApplyEditParams,
    { source: { kind: 'spec', file: '/a' }, progressToken: { id: 1 } },
    'progressToken',
    /number or a string/,
  );
});

test('results are plain data: a JSON round trip gives them back unchanged', () => {
  const result: ApplyEditResult = {
    patch: {
      id: 'p1',
      position: 1,
      fact: 'A works for B.',
      method: 'propmend',
      source: { kind: 'spec', file: '/w/a.edit.json' },
      applied_at: '2026-11-29T15:00:00.000Z',
      saved_to: null,
    },
    report: {
      fact: 'A works for B.',
      method: 'propmend',
      questions: [
        {
          kind: 'nonverbatim',
          question: 'Q?',
          gold: 'g',
          before: 'x',
          after: 'g',
          correct_before: false,
          correct_after: true,
          logprob_before: -3.25,
          logprob_after: -0.5,
        },
        {
          kind: 'locality',
          question: 'L?',
          gold: null,
          before: 'y',
          after: 'y',
          correct_before: null,
          correct_after: null,
          logprob_before: null,
          logprob_after: null,
        },
      ],
      timings_ms: { capture: 1.5, transform: 2, answering: 30 },
      edit_size: { targets: 2, rank: 8, parameters: 1234 },
    },
    elapsed_ms: 40,
  };
  const evaluation: EvaluateResult = {
    file: '/w/v.ripple.jsonl',
    results: [
      {
        method: 'base',
        n_instances: 2,
        efficacy_verbatim: 0.5,
        efficacy_nonverbatim: 0,
        specificity: 1,
        n_questions: { verbatim: 2, nonverbatim: 4, locality: 2 },
      },
    ],
    elapsed_ms: 12,
  };
  const status: StatusResult = {
    protocol_version: protocol.PROTOCOL_VERSION,
    version: '0.1.0',
    pid: 1,
    model: null,
    patches: 0,
    busy: { method: 'propmend/applyEdit', since: '2026-11-29T15:00:00.000Z' },
    queued: 1,
  };
  for (const v of [result, evaluation, status]) assert.deepEqual(wire(v), v);
});

test('the edit record is the runtime report of `propmend edit --json` (types agree both ways)', () => {
  // Compile-time: a runtime EditReport is a protocol EditRecord and back; a test that fails to type-check.
  const fromRuntime = (r: EditReport): ApplyEditResult['report'] => r;
  const toRuntime = (r: ApplyEditResult['report']): EditReport => ({ ...r, questions: [...r.questions] });
  assert.equal(typeof fromRuntime, 'function');
  assert.equal(typeof toRuntime, 'function');
});

test('method names are unique propmend/… names; tables agree with the runtime', () => {
  assert.equal(new Set(REQUEST_METHODS).size, REQUEST_METHODS.length);
  for (const m of [...REQUEST_METHODS, ProgressNotification.method])
    assert.match(m, /^propmend\/[a-z][A-Za-z]+$/);
  assert.deepEqual([...RUNTIME_PROVIDERS], [...EXECUTION_PROVIDERS]);
  assert.deepEqual([...EDIT_METHODS].sort(), [...PATCH_METHODS].sort());
  assert.deepEqual(
    [...EVAL_METHODS].sort(),
    ['base', ...EDIT_METHODS].sort(),
    'evaluation: the base model and each edit method',
  );
  const codes = Object.values(RuntimeErrorCode);
  assert.equal(new Set(codes).size, codes.length, 'error codes are distinct');
  assert.equal(runtimeErrorName(RuntimeErrorCode.InputError), 'InputError');
  assert.equal(runtimeErrorName(42), undefined);
});
