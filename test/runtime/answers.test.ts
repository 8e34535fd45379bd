// Answer normalisation, exact match and the majority ("chance") baseline used by every printed accuracy.
// Pure string tests; no model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactMatch, majorityBaseline, normalizeAnswer } from '../../server/runtime/eval/answers';

test('normalisation ignores case, punctuation and spacing', () => {
  assert.equal(normalizeAnswer('  The  Velor-Dollar. '), 'the velor dollar');
  assert.ok(exactMatch('Oslo.', 'oslo'));
  assert.ok(exactMatch('Kristiania', 'Oslo', ['Kristiania']));
  assert.ok(!exactMatch('Oslo Norway', 'Oslo'));
  assert.ok(!exactMatch('', ''), 'an empty prediction never matches');
});

test('majority baseline answers each group with its most frequent answer', () => {
  const items = [
    { group: 'a', answer: 'X' },
    { group: 'a', answer: 'x' },
    { group: 'a', answer: 'Y' },
    { group: 'b', answer: 'Z' },
    { group: 'b', answer: 'W' },
  ];
  // Group a: "x" twice of three; group b: a tie broken towards "w", right once of two.
  assert.equal(majorityBaseline(items), 3 / 5);
  assert.equal(majorityBaseline([]), 0);
});
