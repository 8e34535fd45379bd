// The edit-spec form's field texts: how a value of the spec shows in a text box and how the box's text goes
// back into the spec (lists as comma-separated items, stop strings with JSON escapes, numbers checked).
// DOM-free and `vscode`-free; the page (main.ts) calls these, and test/extension/spec-form-page.test.ts tests them.
import type { JsonValue } from './messages';

/** A box's text turned into the value to write: `undefined` removes the key; `error` keeps the text as is. */
export type Parsed = { readonly value: JsonValue | undefined } | { readonly error: string };

export const listText = (items: readonly string[] | undefined): string => (items ?? []).join(', ');

/** `a, b ,c` → ["a", "b", "c"]; empty → the key is removed. */
export function parseList(text: string): Parsed {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return { value: items.length ? items : undefined };
}

/** Stop strings as the user types them: JSON escapes (`\n`) inside comma-separated items. */
export const stopText = (items: readonly string[] | undefined): string =>
  (items ?? []).map((s) => JSON.stringify(s).slice(1, -1)).join(', ');

export function parseStop(text: string): Parsed {
  const items: string[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    try {
      items.push(JSON.parse(`"${item}"`) as string);
    } catch {
      return { error: `"${item}" is not a valid escaped string (write a newline as \\n)` };
    }
  }
  return { value: items.length ? items : undefined };
}

/** An optional text: empty removes the key. */
export const parseOptional = (text: string): Parsed => ({ value: text === '' ? undefined : text });

/** A required text: written as typed, also empty (the checker then says what is missing). */
export const parseRequired = (text: string): Parsed => ({ value: text });

export function parsePositive(text: string): Parsed {
  if (text.trim() === '') return { value: undefined };
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) return { error: `${text} is not a number above 0` };
  return { value: n };
}

export function parseTokens(text: string): Parsed {
  if (text.trim() === '') return { value: undefined };
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    return { error: `${text} is not a whole number from 1 to 1024` };
  return { value: n };
}

/** Explicit layers: `0, 1, 2` → [0, 1, 2]. */
export function parseLayers(text: string): Parsed {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return { error: 'name at least one 0-based layer index, e.g. 2, 3' };
  const layers: number[] = [];
  for (const item of items) {
    const n = Number(item);
    if (!/^\d+$/.test(item) || !Number.isSafeInteger(n))
      return { error: `"${item}" is not a 0-based layer index` };
    layers.push(n);
  }
  return { value: layers };
}

export const numberText = (n: number | undefined): string => (n === undefined ? '' : String(n));

/** Whether a diagnostic at `path` belongs to the field at `key` (the longest such field takes it). */
export function pathKey(path: ReadonlyArray<string | number>): string {
  return path.join('.');
}

/** The key of the deepest field among `keys` that contains `path`, or '' (the form as a whole). */
export function ownerKey(path: ReadonlyArray<string | number>, keys: ReadonlySet<string>): string {
  for (let n = path.length; n > 0; n--) {
    const key = pathKey(path.slice(0, n));
    if (keys.has(key)) return key;
  }
  return '';
}
