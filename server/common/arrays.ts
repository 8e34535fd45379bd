// Array helpers that never spread an array into call arguments: `f(...xs)` puts every element on the stack and
// throws RangeError past about 100k elements, so server/ uses these instead (test/tidy.test.ts forbids spreads
// into calls). Pure functions, no IO.

/** Appends every item of `items` to `target` (in place) and returns `target`. */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest of `values`, or `empty` when there are none. */
export function maxOf(values: Iterable<number>, empty = Number.NEGATIVE_INFINITY): number {
  let max = empty;
  let any = false;
  for (const v of values) {
    max = any ? Math.max(max, v) : v;
    any = true;
  }
  return any ? max : empty;
}
