// The runtime processes' huge-page environment: the tunable is added once, kept beside other tunables, left
// out off Linux or when switched off; and on a Linux kernel that offers transparent huge pages on request, a
// process started with it really gets them for a large buffer (read back from /proc/self/smaps_rollup).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { HUGE_PAGES_TUNABLE, withHugePages } from '../../server/common/huge-pages';

test('the tunable is added on Linux, beside the tunables already set, and only once', () => {
  assert.equal(withHugePages({}, 'linux').GLIBC_TUNABLES, HUGE_PAGES_TUNABLE);
  assert.equal(
    withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux').GLIBC_TUNABLES,
    `glibc.malloc.arena_max=2:${HUGE_PAGES_TUNABLE}`,
  );
  const once = withHugePages({}, 'linux');
  assert.equal(withHugePages(once, 'linux').GLIBC_TUNABLES, HUGE_PAGES_TUNABLE);
  assert.equal(
    withHugePages({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, 'linux').GLIBC_TUNABLES,
    'glibc.malloc.hugetlb=0',
  );
});

test('other platforms and PROPMEND_HUGE_PAGES=0 keep the environment, and the caller’s object is not changed', () => {
  assert.equal(withHugePages({}, 'darwin').GLIBC_TUNABLES, undefined);
  assert.equal(withHugePages({}, 'win32').GLIBC_TUNABLES, undefined);
  assert.equal(withHugePages({ PROPMEND_HUGE_PAGES: '0' }, 'linux').GLIBC_TUNABLES, undefined);
  const env = { PATH: '/bin' };
  withHugePages(env, 'linux');
  assert.deepEqual(env, { PATH: '/bin' });
});

const THP = '/sys/kernel/mm/transparent_hugepage/enabled';

test('a process started with it backs a large buffer with huge pages where the kernel offers them', () => {
  const script = `const a = new Float32Array(64 << 20); for (let i = 0; i < a.length; i += 1024) a[i] = 1;
    const m = /AnonHugePages:\\s+(\\d+) kB/.exec(require('fs').readFileSync('/proc/self/smaps_rollup', 'utf8'));
    process.stdout.write(String(m ? Number(m[1]) : -1));`;
  const base = { ...process.env };
  delete base.GLIBC_TUNABLES;
  const env = withHugePages(base);
  const offered =
    process.platform === 'linux' && existsSync(THP) && !/\[never\]/.test(readFileSync(THP, 'utf8'));
  if (!offered) {
    // Nothing to measure here (no transparent huge pages); the variable is still set on Linux only.
    assert.equal(env.GLIBC_TUNABLES, process.platform === 'linux' ? HUGE_PAGES_TUNABLE : undefined);
    return;
  }
  const kb = Number(spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }).stdout);
  assert.ok(kb >= 128 * 1024, `AnonHugePages ${kb} kB with the tunable, for a 256 MiB buffer`);
});
