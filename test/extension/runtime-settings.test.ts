// The runtime settings as the sidecar's parameters, without VS Code: empty = the shipped assets, relative
// paths against the workspace folder, bad values replaced by the default with a problem, and the
// hypernetwork setting sent unless an edit spec names its own.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  hypernetParam,
  readRuntimeSettings,
  resolveSettingPath,
  settingPathFor,
  specNamesHypernetwork,
} from '../../extension/sidecar/settings';

const ctx = {
  shippedModel: '/ext/assets/models/tiny-world',
  workspaceFolder: '/work/space',
  home: '/home/u',
};
const read = (values: Record<string, unknown>) => readRuntimeSettings((k) => values[k], ctx);

test('the defaults (as VS Code returns them) mean the shipped model on the CPU with all cores', () => {
  const s = read({ model: '', provider: 'cpu', threads: 0, hypernetwork: '' });
  assert.deepEqual(s.model, { folder: ctx.shippedModel, provider: 'cpu' });
  assert.equal(s.hypernet, undefined);
  assert.equal(s.shippedModel, true);
  assert.deepEqual(s.problems, []);
});

test('paths resolve against the workspace folder and the home folder; threads and provider pass through', () => {
  const s = read({ model: 'models/llama', provider: 'webgpu', threads: 2, hypernetwork: '~/nets/run1' });
  assert.deepEqual(s.model, { folder: '/work/space/models/llama', provider: 'webgpu', threads: 2 });
  assert.equal(s.hypernet, '/home/u/nets/run1');
  assert.equal(s.shippedModel, false);
  assert.equal(resolveSettingPath('/abs/x/../y', ctx), '/abs/y');
  assert.equal(resolveSettingPath('  ', ctx), undefined);
  assert.equal(resolveSettingPath('rel', { shippedModel: '/s', home: '/h' }), '/h/rel');
});

test('bad values fall back to the default and say which setting and what is valid', () => {
  const s = read({ provider: 'tpu', threads: 1.5 });
  assert.deepEqual(s.model, { folder: ctx.shippedModel, provider: 'cpu' });
  assert.equal(s.problems.length, 2);
  assert.match(s.problems[0] ?? '', /propmend\.provider is "tpu"; valid: cpu, cuda, webgpu/);
  assert.match(s.problems[1] ?? '', /propmend\.threads is 1\.5/);
});

test('a chosen path is written relative to the workspace folder when inside it; the shipped model as empty', () => {
  assert.equal(settingPathFor('/work/space/models/a', ctx), join('models', 'a'));
  assert.equal(settingPathFor('/elsewhere/m', ctx), '/elsewhere/m');
  assert.equal(settingPathFor('/work/spaceship/m', ctx), '/work/spaceship/m');
  assert.equal(settingPathFor(ctx.shippedModel, ctx), '');
});

test('the hypernetwork setting goes with every edit except a spec that names its own', () => {
  const set = read({ hypernetwork: '/nets/mine' });
  assert.deepEqual(hypernetParam(set, undefined), { hypernet: '/nets/mine' });
  assert.deepEqual(hypernetParam(set, { text: '{"fact": "x"}' }), { hypernet: '/nets/mine' });
  assert.deepEqual(hypernetParam(set, { text: '{"fact": "x", "hypernetwork": null}' }), {});
  assert.deepEqual(hypernetParam(read({}), undefined), {});
  assert.equal(specNamesHypernetwork('{ not json'), false);
});
