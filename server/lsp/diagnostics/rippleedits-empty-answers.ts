// Diagnostic: propmend/rippleedits-empty-answers
// A RippleEdits query with an empty answers list: it cannot be scored, and loaders (and `propmend convert`) drop it.
import { forEachQuery } from './empty-answer';
import { atPath, type Rule } from './rule';

export const rippleEditsEmptyAnswers: Rule = {
  code: 'rippleedits-empty-answers',
  severity: 'warning',
  rippleedits(value, emit) {
    forEachQuery(value, (q, path) => {
      const answers = (q as Record<string, unknown>).answers;
      if (Array.isArray(answers) && answers.length === 0) {
        emit(
          atPath([...path, 'answers']),
          'this query has no answers, so it cannot be scored; `propmend convert` drops it',
        );
      }
    });
  },
};
