// `propmend score`: teacher-forced log-probability of each answer after its prompt, per token and in total,
// and whether greedy decoding would reproduce it exactly. Results to stdout (text or --json).
import type { FloatDType } from '../../runtime/ir/dtype';
import { nextTokenTargets, padLeft } from '../../runtime/tasks/batch';
import { scoreTokens } from '../../runtime/tasks/objectives';
import { type CliCommand, parseFlags, UsageError } from '../command';
import { loadModelForCli, makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE, tokenizerForCli } from '../model-args';
import { editFromFlags, PATCH_FLAGS, PATCH_USAGE } from './patch';

export const scoreCommand: CliCommand = {
  summary: 'log-probability of answers given prompts (teacher forcing)',
  usage: `Usage: propmend score MODEL_DIR --prompt P --answer A [--prompt P --answer A ...] [options]

The prompt is tokenised with special tokens (BOS for Llama); the answer gets a leading space, is
tokenised without them, and is followed by EOS (as PropMEND scores answers).

  --no-eos           do not append EOS to the answer
${RUNTIME_USAGE}
${PATCH_USAGE}
  --json             {"scores":[{"prompt","answer","logprob","tokens","meanLogprob","exact"}]}`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      prompt: { type: 'string', multiple: true },
      answer: { type: 'string', multiple: true },
      'no-eos': { type: 'boolean' },
      json: { type: 'boolean' },
      ...RUNTIME_FLAGS,
      ...PATCH_FLAGS,
    });
    if (positionals.length > 1)
      throw new UsageError(`expected one model folder, got ${positionals.length} arguments`);
    const prompts = values.prompt ?? [];
    const answers = values.answer ?? [];
    if (prompts.length === 0 || prompts.length !== answers.length) {
      throw new UsageError(
        `give matching --prompt and --answer pairs (got ${prompts.length} prompts, ${answers.length} answers)`,
      );
    }
    const runtime = makeRuntime(values);
    try {
      const model = loadModelForCli(positionals[0], runtime, io);
      const edit = editFromFlags(model, values, io);
      const tokenizer = await tokenizerForCli(model.source);
      const eos = values['no-eos'] ? [] : model.tokens.eos.slice(0, 1);
      const pairs = prompts.map((p, i) => {
        const answer = answers[i] as string;
        const promptIds = tokenizer.encode(p, { addSpecialTokens: true });
        const answerIds = [
          ...tokenizer.encode(answer.startsWith(' ') ? answer : ` ${answer}`, { addSpecialTokens: false }),
          ...eos,
        ];
        return { prompt: p, answer, promptIds, answerIds };
      });
      const batch = padLeft(
        pairs.map((x) => [...x.promptIds, ...x.answerIds]),
        model.tokens.pad,
      );
      const dtype: FloatDType = model.dtype;
      const targets = nextTokenTargets(dtype, batch, (row, position) => {
        const pair = pairs[row] as (typeof pairs)[number];
        return position >= batch.length - pair.answerIds.length;
      });
      const { logprob, correct } = await scoreTokens(model, batch, targets, edit);
      const scores = pairs.map((pair, row) => {
        let total = 0;
        let exact = true;
        for (let t = batch.length - pair.answerIds.length - 1; t < batch.length - 1; t++) {
          total += logprob[row * batch.length + t] as number;
          exact &&= correct[row * batch.length + t] === 1;
        }
        return {
          prompt: pair.prompt,
          answer: pair.answer,
          logprob: total,
          tokens: pair.answerIds.length,
          meanLogprob: total / pair.answerIds.length,
          exact,
        };
      });
      if (values.json) io.stdout(`${JSON.stringify({ scores })}\n`);
      else {
        for (const s of scores) {
          io.stdout(
            `${s.logprob.toFixed(4)}\t${s.tokens} tokens\t${s.exact ? 'greedy' : 'not greedy'}\t${s.prompt} => ${s.answer}\n`,
          );
        }
      }
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
