// The edit-spec form page's field texts without a browser: how list, stop-string, number and layer boxes
// read back into spec values (or a message that keeps the box as typed), and which field a diagnostic's JSON
// path belongs to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  listText,
  ownerKey,
  parseLayers,
  parseList,
  parseOptional,
  parsePositive,
  parseStop,
  parseTokens,
  stopText,
} from '../../webviews/spec-form/fields';

test('lists: comma-separated items, trimmed; an empty box removes the key', () => {
  assert.deepEqual(parseList(' works_for ,headquartered_in,, '), {
    value: ['works_for', 'headquartered_in'],
  });
  assert.deepEqual(parseList('  '), { value: undefined });
  assert.equal(listText(['a', 'b']), 'a, b');
  assert.deepEqual(parseOptional(''), { value: undefined });
});

test('stop strings round-trip through JSON escapes', () => {
  assert.equal(stopText(['\n', 'Q:']), '\\n, Q:');
  assert.deepEqual(parseStop(stopText(['\n', 'Q:', '\t"'])), { value: ['\n', 'Q:', '\t"'] });
  assert.ok('error' in parseStop('\\x'));
});

test('numbers and layers: bad text is a message, never a write', () => {
  assert.deepEqual(parsePositive('0.5'), { value: 0.5 });
  assert.deepEqual(parsePositive(''), { value: undefined });
  assert.ok('error' in parsePositive('0'));
  assert.ok('error' in parsePositive('fast'));
  assert.deepEqual(parseTokens('16'), { value: 16 });
  assert.ok('error' in parseTokens('2000'));
  assert.ok('error' in parseTokens('1.5'));
  assert.deepEqual(parseLayers('0, 1,3'), { value: [0, 1, 3] });
  assert.ok('error' in parseLayers(''));
  assert.ok('error' in parseLayers('1, -2'));
  assert.ok('error' in parseLayers('2.5'));
});

test('a diagnostic belongs to the deepest field that contains its path', () => {
  const keys = new Set(['', 'fact', 'propagation', 'propagation.1', 'propagation.1.answer', 'layers']);
  assert.equal(ownerKey(['propagation', 1, 'answer'], keys), 'propagation.1.answer');
  assert.equal(ownerKey(['propagation', 1, 'path', 0], keys), 'propagation.1');
  assert.equal(ownerKey(['propagation', 7], keys), 'propagation');
  assert.equal(ownerKey(['layers', 2], keys), 'layers');
  assert.equal(ownerKey(['meta'], keys), '');
  assert.equal(ownerKey([], keys), '');
});
