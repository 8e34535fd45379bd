// Diagnostic: propmend/answer-too-long
// An answer with more tokens than the generation budget (max_new_tokens), so greedy decoding can never produce it.
import { at, type Rule } from './rule';

export const answerTooLong: Rule = {
  code: 'answer-too-long',
  severity: 'error',
  instance(inst, ctx, emit) {
    const tokens = ctx.tokens;
    if (!tokens) return;
    for (const q of [...inst.propagation, ...inst.locality]) {
      if (q.answer === undefined || q.answer.trim() === '') continue;
      const n = tokens.answerTokens(q.answer);
      if (n <= tokens.maxNewTokens) continue;
      emit(
        at(q.list, q.index, 'answer'),
        `the answer is ${n} tokens but the generation budget is ${tokens.maxNewTokens} (max_new_tokens); shorten it or raise the budget`,
      );
    }
  },
};
