// JSON documents with positions: parse with JSON.parse (fast path), report syntax errors with exact ranges
// (jsonc-parser's scanner), find duplicate keys, and resolve JSON paths to ranges in one pass over the text.
// Never throws on user input; knows no file formats.
import { printParseErrorCode, visit } from './jsonc';
import type { Range } from './positions';
import { LineIndex } from './text';

export type JsonPath = ReadonlyArray<string | number>;

/** What part of a value a diagnostic points at. */
export type LocPart =
  | 'value' // the whole value
  | 'key' // the property name of the value (falls back to the value for array items and the root)
  | 'start'; // the first character of the value (an object's `{`)

export interface Loc {
  readonly path: JsonPath;
  readonly part: LocPart;
}

export interface SyntaxError {
  readonly message: string;
  readonly range: Range;
  /** Set when the text is refused for its nesting depth rather than a syntax error. */
  readonly tooDeep?: true;
}

/**
 * Deepest nesting of arrays and objects a document may have. Our formats need about six levels; past this the
 * text is refused with one diagnostic, so no recursive walk (jsonc-parser's parser overflows the stack at about
 * 7,000 levels; schema validation and rules recurse too) ever sees a deeper value.
 */
export const MAX_JSON_NESTING = 256;

/**
 * Offset of the first `[` or `{` nested deeper than `max` (outside strings), or -1. One linear scan with no
 * recursion; brackets inside strings do not count, and an unterminated string ends the scan.
 */
export function nestingOverflow(text: string, max = MAX_JSON_NESTING): number {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Skip the string: find the closing quote that is not escaped.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > max) return i;
    } else if (c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/** Syntax errors reported per document (per line in JSONL): later ones are mostly echoes of the first. */
const MAX_SYNTAX_ERRORS = 1;

const ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":" after the property name',
  CommaExpected: 'expected "," between items',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: 'unexpected text after the JSON value (one JSON value per line in .jsonl)',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'control character in a string (escape it)',
};

class StopVisit extends Error {}

function pathKey(path: JsonPath): string {
  return JSON.stringify(path);
}

/** A parsed JSON text. `value` is undefined when the text has syntax errors (see `syntaxErrors`). */
export class JsonDoc {
  readonly value: unknown;
  readonly ok: boolean;
  private lineIndex: LineIndex | undefined;
  private errorsCache: SyntaxError[] | undefined;

  /** Offset of the bracket past MAX_JSON_NESTING, when the text is refused for its depth (then `ok` is false). */
  readonly tooDeepAt: number;

  constructor(readonly text: string) {
    let value: unknown;
    let ok = false;
    this.tooDeepAt = nestingOverflow(text);
    if (this.tooDeepAt === -1)
      try {
        // A byte-order mark is whitespace to us; replacing it keeps offsets unchanged.
        value = JSON.parse(text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text);
        ok = true;
      } catch {
        value = undefined;
      }
    this.value = value;
    this.ok = ok;
  }

  get lines(): LineIndex {
    this.lineIndex ??= new LineIndex(this.text);
    return this.lineIndex;
  }

  /** Syntax errors with ranges; empty when the text parsed. */
  syntaxErrors(): SyntaxError[] {
    if (this.ok) return [];
    if (this.errorsCache) return this.errorsCache;
    const errors: SyntaxError[] = [];
    if (this.tooDeepAt !== -1) {
      errors.push({
        message: `arrays and objects nest more than ${MAX_JSON_NESTING} levels deep`,
        range: this.lines.rangeOf(this.tooDeepAt, 1),
        tooDeep: true,
      });
    } else if (this.text.trim() === '') {
      errors.push({ message: 'empty document: expected a JSON value', range: this.lines.rangeOf(0, 0) });
    } else {
      try {
        visit(
          this.text,
          {
            onError: (code, offset, length) => {
              errors.push({
                message: ERROR_TEXT[printParseErrorCode(code)] ?? 'invalid JSON',
                range: this.lines.rangeOf(offset, length),
              });
              if (errors.length >= MAX_SYNTAX_ERRORS) throw new StopVisit();
            },
          },
          { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
        );
      } catch (error) {
        if (!(error instanceof StopVisit)) throw error;
      }
      if (errors.length === 0) {
        // JSON.parse is stricter than the scanner in a few corners (e.g. lone surrogates are fine, BOM handling).
        errors.push({ message: 'invalid JSON', range: this.lines.rangeOf(0, Math.min(this.text.length, 1)) });
      }
    }
    this.errorsCache = errors;
    return errors;
  }

  /**
   * Resolves locations to ranges in one pass over the text. Paths that do not exist resolve to the
   * nearest existing ancestor's first character. Only call on documents that parsed.
   */
  resolve(locs: readonly Loc[]): Range[] {
    const found = new Map<string, { value?: [number, number]; key?: [number, number] }>();
    for (const loc of locs) {
      for (let n = loc.path.length; n >= 0; n--) found.set(pathKey(loc.path.slice(0, n)), {});
    }
    walkJson(this.text, {
      enter: (path) => found.has(pathKey(path)),
      value: (path, offset, length, keyAt) => {
        const hit = found.get(pathKey(path));
        if (!hit) return;
        hit.value = [offset, length];
        if (keyAt) hit.key = keyAt;
      },
    });
    return locs.map((loc) => {
      for (let n = loc.path.length; n >= 0; n--) {
        const hit = found.get(pathKey(loc.path.slice(0, n)));
        if (!hit?.value) continue;
        const exact = n === loc.path.length;
        if (exact && loc.part === 'key' && hit.key) return this.lines.rangeOf(hit.key[0], hit.key[1]);
        if (exact && loc.part !== 'start') return this.lines.rangeOf(hit.value[0], hit.value[1]);
        return this.lines.rangeOf(hit.value[0], 1);
      }
      return this.lines.rangeOf(0, 0);
    });
  }

  /** Duplicate object keys: each repeated key's path (the later occurrence) with the key's range. */
  duplicateKeys(): Array<{ path: JsonPath; range: Range }> {
    if (!this.ok) return [];
    // JSON.parse keeps the last of repeated keys: fewer parsed keys than key tokens means a repeat.
    if (countKeyTokens(this.text) === countParsedKeys(this.value)) return [];
    const out: Array<{ path: JsonPath; range: Range }> = [];
    const seen = new Map<string, Set<string>>();
    walkJson(this.text, {
      property: (container, name, offset, length) => {
        const k = pathKey(container);
        let keys = seen.get(k);
        if (!keys) {
          keys = new Set();
          seen.set(k, keys);
        }
        if (keys.has(name))
          out.push({ path: [...container, name], range: this.lines.rangeOf(offset, length) });
        keys.add(name);
      },
    });
    return out;
  }
}

interface WalkCallbacks {
  /** Called when an object or array starts; returning false skips its contents (value is still reported). */
  enter?(path: JsonPath): boolean;
  /** Every value with its path, offset, length and, for properties, the key's offset and length. */
  value?(path: JsonPath, offset: number, length: number, keyAt: [number, number] | undefined): void;
  property?(container: JsonPath, name: string, offset: number, length: number): void;
}

/** Walks a JSON text with jsonc-parser's scanner, tracking the JSON path of every value. */
export function walkJson(text: string, cb: WalkCallbacks): void {
  interface Frame {
    readonly array: boolean;
    readonly path: JsonPath;
    readonly start: number;
    readonly keyAt: [number, number] | undefined;
    index: number;
    key: string;
    propAt: [number, number] | undefined;
  }
  const frames: Frame[] = [];
  const child = (): [JsonPath, [number, number] | undefined] => {
    const top = frames[frames.length - 1];
    if (!top) return [[], undefined];
    if (top.array) return [[...top.path, top.index++], undefined];
    return [[...top.path, top.key], top.propAt];
  };
  const begin = (array: boolean) => (offset: number) => {
    const [path, keyAt] = child();
    frames.push({ array, path, start: offset, keyAt, index: 0, key: '', propAt: undefined });
    return cb.enter ? cb.enter(path) : true;
  };
  const end = (offset: number, length: number) => {
    const f = frames.pop();
    if (f) cb.value?.(f.path, f.start, offset + length - f.start, f.keyAt);
  };
  visit(
    text,
    {
      onObjectBegin: begin(false),
      onArrayBegin: begin(true),
      onObjectEnd: end,
      onArrayEnd: end,
      onObjectProperty: (name, offset, length) => {
        const top = frames[frames.length - 1];
        if (!top) return;
        top.key = name;
        top.propAt = [offset, length];
        cb.property?.(top.path, name, offset, length);
      },
      onLiteralValue: (_v, offset, length) => {
        const [path, keyAt] = child();
        cb.value?.(path, offset, length, keyAt);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
}

/**
 * Number of object keys in the text: strings followed (after whitespace) by a colon. Strings are skipped
 * whole with indexOf, so quotes and colons inside them do not count.
 */
export function countKeyTokens(text: string): number {
  let n = 0;
  let i = text.indexOf('"');
  while (i !== -1) {
    let j = text.indexOf('"', i + 1);
    for (;;) {
      if (j === -1) return n;
      let backslashes = 0;
      while (text.charCodeAt(j - 1 - backslashes) === 92) backslashes++;
      if (backslashes % 2 === 0) break;
      j = text.indexOf('"', j + 1);
    }
    let k = j + 1;
    for (let c = text.charCodeAt(k); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(k)) k++;
    if (text.charCodeAt(k) === 58) n++;
    i = text.indexOf('"', k);
  }
  return n;
}

function countParsedKeys(value: unknown): number {
  if (Array.isArray(value)) {
    let n = 0;
    for (const v of value) n += countParsedKeys(v);
    return n;
  }
  if (value !== null && typeof value === 'object') {
    let n = 0;
    for (const v of Object.values(value)) n += 1 + countParsedKeys(v);
    return n;
  }
  return 0;
}
