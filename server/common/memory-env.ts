// The environment of the processes that run models (the CLI's command process, the sidecar, the benchmark's
// sides): on Linux it tunes glibc's malloc (GLIBC_TUNABLES) for a process whose buffers are gigabytes and
// are freed and asked for again on every graph run (gradients, logits, the outputs onnxruntime-node copies
// into fresh ArrayBuffers):
// - glibc.malloc.hugetlb=1: large allocations get transparent huge pages (madvise), so first touching memory
//   faults once per 2 MiB instead of once per 4 KiB: 5.5 s per GiB measured on the development VM with
//   4 KiB pages, 0.08-0.15 s with 2 MiB pages;
// - glibc.malloc.mmap_max=0 and a 64 GiB trim_threshold: large blocks come from the heap and stay there
//   when freed, so the next run reuses pages already mapped instead of mapping, faulting in and zeroing
//   fresh ones (the kernel's page clearing was a third of a forward-backward run's CPU time). The price:
//   memory freed after a peak is kept by the process for reuse rather than returned to the system.
// Pure: returns a new environment, never changes the caller's. Other platforms ignore the variable.

/** The glibc tunables, in the order they are added. */
export const MALLOC_TUNABLES: readonly string[] = [
  'glibc.malloc.hugetlb=1',
  'glibc.malloc.mmap_max=0',
  'glibc.malloc.trim_threshold=68719476736',
];

/** Set to 0 to keep glibc's defaults (for measuring what the tuning buys, or a kernel that misbehaves). */
export const MEMORY_TUNING_SWITCH = 'PROPMEND_MALLOC_TUNING';

/** `env` with MALLOC_TUNABLES added to GLIBC_TUNABLES; a tunable the caller already set keeps its value. */
export function withMemoryTuning(
  env: Readonly<NodeJS.ProcessEnv>,
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  if (platform !== 'linux' || env[MEMORY_TUNING_SWITCH] === '0') return out;
  const entries = (env.GLIBC_TUNABLES ?? '').split(':').filter((e) => e.length > 0);
  const named = new Set(entries.map((e) => e.split('=')[0]));
  const added = MALLOC_TUNABLES.filter((t) => !named.has(t.split('=')[0]));
  if (added.length > 0) out.GLIBC_TUNABLES = [...entries, ...added].join(':');
  return out;
}
