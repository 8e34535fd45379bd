// The checker's language status words (extension/views/lsp-status.ts): a user can tell from the status bar
// whether the language server runs and what it found.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lspStatus } from '../../extension/views/lsp-status';

const none = { errors: 0, warnings: 0, files: 0 };

test('starting is busy, running says what it found, stopped is an error that points at the output', () => {
  assert.deepEqual(lspStatus('starting', none), {
    text: 'PropMEND checker',
    detail: 'starting',
    severity: 'information',
    busy: true,
  });
  assert.equal(lspStatus('running', none).detail, 'running: no problems');
  const found = lspStatus('running', { errors: 1, warnings: 3, files: 2 });
  assert.equal(found.detail, 'running: 1 error, 3 warnings in 2 files');
  assert.equal(found.severity, 'warning');
  assert.equal(lspStatus('running', { errors: 0, warnings: 1, files: 1 }).severity, 'information');
  const stopped = lspStatus('stopped', none);
  assert.equal(stopped.severity, 'error');
  assert.match(stopped.detail, /PropMEND datasets/);
});
