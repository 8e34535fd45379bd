// Diagnostic: propmend/prompt-too-long
// A question prompt (plus the generation budget) or a fact text longer than the model's context.
import { at, type Rule } from './rule';

export const promptTooLong: Rule = {
  code: 'prompt-too-long',
  severity: 'error',
  instance(inst, ctx, emit) {
    const tokens = ctx.tokens;
    if (!tokens || tokens.context === null) return;
    const context = tokens.context;
    if (inst.fact !== undefined) {
      const n = tokens.textTokens(inst.fact);
      if (n > context)
        emit(at('fact'), `the fact text is ${n} tokens, longer than the context of ${context}; shorten it`);
    }
    for (const q of [...inst.propagation, ...inst.locality]) {
      if (q.question === undefined) continue;
      const n = tokens.promptTokens(q.question);
      if (n + tokens.maxNewTokens <= context) continue;
      emit(
        at(q.list, q.index, 'question'),
        `the prompt is ${n} tokens; with the ${tokens.maxNewTokens}-token answer budget it exceeds the context of ${context}; shorten the question`,
      );
    }
  },
};
