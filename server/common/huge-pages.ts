// The environment of the processes that run models (the CLI's command process, the sidecar, the benchmark's
// sides): on Linux it asks glibc's malloc to back its large allocations with transparent huge pages
// (GLIBC_TUNABLES glibc.malloc.hugetlb=1). A gradient, logits or activation buffer is fresh memory on every
// graph run, and on a virtual machine touching it costs one page fault per 4 KiB: 5.5 s per GiB measured on
// the development VM, against 0.15 s per GiB with 2 MiB pages. Pure: it returns a new environment and never
// changes the caller's. Other platforms' allocators ignore the variable, so they get the environment unchanged.

/** The glibc tunable: malloc marks its mmap'd chunks and heap with madvise(MADV_HUGEPAGE). */
export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';

/** Set to 0 to keep 4 KiB pages (for measuring what huge pages buy, or a kernel that misbehaves with them). */
export const HUGE_PAGES_SWITCH = 'PROPMEND_HUGE_PAGES';

/** `env` with the huge-page tunable added to GLIBC_TUNABLES (kept as is when off, set already or not Linux). */
export function withHugePages(
  env: Readonly<NodeJS.ProcessEnv>,
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  if (platform !== 'linux' || env[HUGE_PAGES_SWITCH] === '0') return out;
  const current = env.GLIBC_TUNABLES ?? '';
  const entries = current.split(':').filter((e) => e.length > 0);
  if (entries.some((e) => e.startsWith('glibc.malloc.hugetlb='))) return out;
  out.GLIBC_TUNABLES = [...entries, HUGE_PAGES_TUNABLE].join(':');
  return out;
}
