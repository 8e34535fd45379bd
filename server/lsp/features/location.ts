// Where the cursor is inside a dataset, KB or edit-spec document: the JSON path, the string under the
// cursor and its range. JSONL documents are looked at one line at a time.
import { nestingOverflow } from '../../dataset/json';
import { getLocation, type Node, visit } from '../../dataset/jsonc';
import type { Position, Range } from '../check/types';

export interface CursorContext {
  /** JSON path at the cursor (for JSONL, within the line's value). */
  readonly path: ReadonlyArray<string | number>;
  readonly atKey: boolean;
  /** The string literal under the cursor, with its range including the quotes. */
  readonly string?: { readonly value: string; readonly range: Range };
}

export function cursorContext(text: string, position: Position, jsonl: boolean): CursorContext {
  let body = text;
  let lineOffset = 0;
  let lineNumber = 0;
  let character = position.character;
  if (jsonl) {
    const lines = text.split('\n');
    body = (lines[position.line] ?? '').replace(/\r$/, '');
    lineNumber = position.line;
  } else {
    const lines = text.split('\n');
    for (let i = 0; i < position.line && i < lines.length; i++) lineOffset += (lines[i] as string).length + 1;
    character = lineOffset + position.character;
  }
  const offset = Math.min(character, body.length);
  // jsonc-parser's getLocation recurses per nesting level: a document refused for its depth has no context.
  if (nestingOverflow(body) !== -1) return { path: [], atKey: false };
  const loc = getLocation(body, offset);
  const node: Node | undefined = loc.previousNode;
  let string: CursorContext['string'];
  if (node && node.type === 'string' && offset >= node.offset && offset <= node.offset + node.length) {
    string = { value: String(node.value), range: toRange(body, node.offset, node.length, lineNumber, jsonl) };
  } else if (loc.isAtPropertyKey) {
    // getLocation gives no node for a property key: find the key literal around the offset.
    const key = keyAt(body, offset);
    if (key) string = { value: key.name, range: toRange(body, key.offset, key.length, lineNumber, jsonl) };
  }
  return { path: loc.path, atKey: loc.isAtPropertyKey, ...(string ? { string } : {}) };
}

/** The property key literal (quotes included) that contains `offset`, if any. */
function keyAt(body: string, offset: number): { name: string; offset: number; length: number } | undefined {
  let hit: { name: string; offset: number; length: number } | undefined;
  visit(body, {
    onObjectProperty(name, keyOffset, length) {
      if (!hit && offset >= keyOffset && offset <= keyOffset + length)
        hit = { name, offset: keyOffset, length };
    },
  });
  return hit;
}

function toRange(body: string, offset: number, length: number, line: number, jsonl: boolean): Range {
  if (jsonl) return { start: { line, character: offset }, end: { line, character: offset + length } };
  const pos = (o: number) => {
    const before = body.slice(0, o);
    const l = before.split('\n').length - 1;
    return { line: l, character: o - (before.lastIndexOf('\n') + 1) };
  };
  return { start: pos(offset), end: pos(offset + length) };
}

/** What kind of name belongs at a JSON path of a dataset line or edit spec. */
export type NameSlot = 'relation' | 'entity' | 'type' | undefined;

export function instanceSlot(path: ReadonlyArray<string | number>, atKey: boolean): NameSlot {
  if (atKey) return undefined;
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === 'relation' || parent === 'path') return 'relation';
  if (last === 'subject_type') return 'type';
  if (
    last === 'object' ||
    last === 'entity' ||
    last === 'answer' ||
    (last === 'subject' && path[0] === 'triples')
  )
    return 'entity';
  if (parent === 'aliases') return 'entity';
  return undefined;
}

/** What a KB file's declaration key names (`types.<t>`, `relations.<r>`, `entities.<e>`), for hover. */
export function kbDeclarationSlot(path: ReadonlyArray<string | number>, atKey: boolean): NameSlot {
  if (!atKey || path.length !== 2) return undefined;
  const section = path[0];
  return section === 'types'
    ? 'type'
    : section === 'relations'
      ? 'relation'
      : section === 'entities'
        ? 'entity'
        : undefined;
}

export function kbSlot(path: ReadonlyArray<string | number>, atKey: boolean): NameSlot {
  const [section, , field, rel] = path;
  if (section === 'relations' && (field === 'domain' || field === 'range') && path.length === 3)
    return 'type';
  if (section === 'entities' && field === 'type' && path.length === 3) return 'type';
  if (section === 'entities' && field === 'facts') {
    if (path.length === 4 && atKey) return 'relation';
    if (path.length >= 4 && rel !== undefined && !atKey) return 'entity';
  }
  return undefined;
}
