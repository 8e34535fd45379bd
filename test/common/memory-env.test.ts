// The runtime processes' malloc tuning: the tunables are added once, beside other tunables, a value the user
// set wins, and nothing is added off Linux or when switched off; on a Linux kernel that offers transparent
// huge pages on request, a process started with it really gets them for a large buffer (read back from
// /proc/self/smaps_rollup).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MALLOC_TUNABLES, withMemoryTuning } from '../../server/common/memory-env';

const ALL = MALLOC_TUNABLES.join(':');

test('the tunables are added on Linux, beside the ones already set, and only once', () => {
  assert.equal(withMemoryTuning({}, 'linux').GLIBC_TUNABLES, ALL);
  assert.equal(
    withMemoryTuning({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux').GLIBC_TUNABLES,
    `glibc.malloc.arena_max=2:${ALL}`,
  );
  assert.equal(withMemoryTuning(withMemoryTuning({}, 'linux'), 'linux').GLIBC_TUNABLES, ALL);
  assert.equal(
    withMemoryTuning({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux').GLIBC_TUNABLES,
    ['glibc.malloc.hugetlb=0', ...MALLOC_TUNABLES.slice(1)].join(':'),
    "the user's own value of a tunable wins",
  );
});

test('other platforms and PROPMEND_MALLOC_TUNING=0 keep the environment; the caller’s object is not changed', () => {
  assert.equal(withMemoryTuning({}, 'darwin').GLIBC_TUNABLES, undefined);
  assert.equal(withMemoryTuning({}, 'win32').GLIBC_TUNABLES, undefined);
  assert.equal(withMemoryTuning({ PROPMEND_MALLOC_TUNING: '0' }, 'linux').GLIBC_TUNABLES, undefined);
  const env = { PATH: '/bin' };
  withMemoryTuning(env, 'linux');
  assert.deepEqual(env, { PATH: '/bin' });
});

const THP = '/sys/kernel/mm/transparent_hugepage/enabled';

test('a process started with it backs a large buffer with huge pages where the kernel offers them', () => {
  const script = `const a = new Float32Array(64 << 20); for (let i = 0; i < a.length; i += 1024) a[i] = 1;
    const m = /AnonHugePages:\\s+(\\d+) kB/.exec(require('fs').readFileSync('/proc/self/smaps_rollup', 'utf8'));
    process.stdout.write(String(m ? Number(m[1]) : -1));`;
  const base = { ...process.env };
  delete base.GLIBC_TUNABLES;
  delete base.PROPMEND_MALLOC_TUNING;
  const env = withMemoryTuning(base);
  const offered =
    process.platform === 'linux' && existsSync(THP) && !/\[never\]/.test(readFileSync(THP, 'utf8'));
  if (!offered) {
    // Nothing to measure here (no transparent huge pages); the variable is still set on Linux only.
    assert.equal(env.GLIBC_TUNABLES, process.platform === 'linux' ? ALL : undefined);
    return;
  }
  const kb = Number(spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }).stdout);
  assert.ok(kb >= 128 * 1024, `AnonHugePages ${kb} kB with the tunables, for a 256 MiB buffer`);
});
