// Diagnostic: propmend/rippleedits-id-list
// A RippleEdits subject_id or target_id written as a list: a quirk of the real data, read as its first id.
import { forEachQuery } from './empty-answer';
import { atPath, type Rule } from './rule';

export const rippleEditsIdList: Rule = {
  code: 'rippleedits-id-list',
  severity: 'warning',
  rippleedits(value, emit) {
    if (!Array.isArray(value)) return;
    value.forEach((record, r) => {
      const edit = (record as { edit?: Record<string, unknown> } | null)?.edit;
      for (const [obj, path] of [
        [edit, [r, 'edit']],
        [edit?.original_fact, [r, 'edit', 'original_fact']],
      ] as const) {
        if (obj === null || typeof obj !== 'object') continue;
        for (const key of ['subject_id', 'target_id']) {
          const v = (obj as Record<string, unknown>)[key];
          if (Array.isArray(v))
            emit(
              atPath([...path, key]),
              `${key} is a list (${JSON.stringify(v)}); RippleEdits writes a single id here, the first one is used`,
            );
        }
      }
    });
    forEachQuery(value, (q, path) => {
      const v = (q as Record<string, unknown>).subject_id;
      if (Array.isArray(v))
        emit(
          atPath([...path, 'subject_id']),
          `subject_id is a list (${JSON.stringify(v)}); RippleEdits writes a single id here, the first one is used`,
        );
    });
  },
};
