// Evaluation metrics on hand-made cases: normalised exact match (aliases, articles, punctuation, numbers,
// empty predictions), token F1, mean gold log-probability, the seeded bootstrap interval and aggregation.
// Pure functions; no model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  aggregate,
  bootstrapInterval,
  exactMatchAny,
  meanLogprobs,
  normalizeForMatch,
  type ScoredQuestion,
  tokenF1,
} from '../../server/runtime/eval/metrics';

test('exact match ignores case, punctuation, articles and whitespace; any alias counts', () => {
  assert.equal(normalizeForMatch('  The  Velor-Dollar. '), 'velor dollar');
  assert.ok(exactMatchAny('the Figou', 'Figou'));
  assert.ok(exactMatchAny('An  apple!', 'apple'));
  assert.ok(exactMatchAny('Kristiania', 'Oslo', ['Kristiania']));
  assert.ok(!exactMatchAny('Oslo Norway', 'Oslo'));
  assert.ok(!exactMatchAny('Theodor', 'Odor'), 'articles are whole words only');
  assert.ok(!exactMatchAny('', 'Oslo'), 'an empty prediction never matches');
  assert.ok(!exactMatchAny('the', 'the'), 'a prediction of only articles is empty');
  assert.ok(exactMatchAny('1,787', '1 787'));
  assert.ok(exactMatchAny('1787.', '1787'));
  assert.ok(!exactMatchAny('1786', '1787'));
});

test('token F1 is the bag-of-words overlap, best over aliases, 0 for an empty prediction', () => {
  assert.equal(tokenF1('Maxstork River', 'Maxstork River'), 1);
  // prediction 1 word of 1 right, gold 2 words: p = 1, r = 1/2, F1 = 2/3.
  assert.ok(Math.abs(tokenF1('Maxstork', 'the Maxstork River') - 2 / 3) < 1e-12);
  assert.equal(tokenF1('Krara', 'Zonstios University', ['Krara']), 1);
  assert.equal(tokenF1('', 'Oslo'), 0);
  assert.equal(tokenF1('Bergen', 'Oslo'), 0);
  // Repeated words count once per gold occurrence: p = 1/3, r = 1, F1 = 1/2.
  assert.ok(Math.abs(tokenF1('new new new', 'new') - 0.5) < 1e-12);
});

test('mean gold log-probability averages the scored positions of each row', () => {
  const logprob = [0, -1, -3, 0, 0, -2];
  const mask = [0, 1, 1, 0, 0, 1];
  assert.deepEqual(meanLogprobs(logprob, mask, 2), [-2, -2]);
  assert.throws(() => meanLogprobs([0, 0], [0, 0], 1), /no scored answer token/);
});

test('bootstrap interval: reproducible for a seed, brackets the mean, n reported', () => {
  const values = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const a = bootstrapInterval(values, { seed: 7, resamples: 500 });
  const b = bootstrapInterval(values, { seed: 7, resamples: 500 });
  const c = bootstrapInterval(values, { seed: 8, resamples: 500 });
  assert.deepEqual(a, b);
  assert.notDeepEqual([a.low, a.high], [c.low, c.high]);
  assert.equal(a.n, 50);
  assert.ok(Math.abs(a.mean - 17 / 50) < 1e-12);
  assert.ok(a.low < a.mean && a.mean < a.high, `${a.low} < ${a.mean} < ${a.high}`);
  // A binomial proportion with n = 50 at p = 0.34 has a standard error of ~0.067: the 95% interval is ~±0.13.
  assert.ok(a.high - a.low > 0.15 && a.high - a.low < 0.35, `width ${a.high - a.low}`);
  const constant = bootstrapInterval([1, 1, 1]);
  assert.deepEqual([constant.low, constant.mean, constant.high], [1, 1, 1]);
  assert.ok(Number.isNaN(bootstrapInterval([]).mean));
});

test('aggregation splits efficacy by kind and relation path, specificity on locality', () => {
  const q = (kind: ScoredQuestion['kind'], path: string, em: boolean): ScoredQuestion => ({
    kind,
    path,
    exactMatch: em,
    f1: em ? 1 : 0,
    logprob: em ? -0.5 : -3,
  });
  const result = aggregate([
    q('verbatim', 'birth_city', true),
    q('verbatim', 'employer', false),
    q('non-verbatim', 'birth_city/city_river', true),
    q('non-verbatim', 'birth_city/city_river', true),
    q('non-verbatim', 'employer/headquarters', false),
    q('locality', 'capital', true),
  ]);
  assert.equal(result.efficacy_verbatim.exact_match.mean, 0.5);
  assert.equal(result.efficacy_verbatim.exact_match.n, 2);
  assert.equal(result.efficacy_nonverbatim.exact_match.mean, 2 / 3);
  assert.equal(result.specificity.exact_match.mean, 1);
  assert.equal(result.specificity.exact_match.n, 1);
  assert.deepEqual(Object.keys(result.by_path), [
    'birth_city',
    'birth_city/city_river',
    'employer',
    'employer/headquarters',
  ]);
  assert.equal(result.by_path['birth_city/city_river']?.exact_match.n, 2);
  assert.ok(Math.abs((result.efficacy_nonverbatim.logprob?.mean ?? 0) - (-0.5 - 0.5 - 3) / 3) < 1e-12);
});
