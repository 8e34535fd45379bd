// `propmend score`: teacher-forced log-probability of each answer after its prompt, per token and in total,
// and whether greedy decoding would reproduce it exactly. Results to stdout (text or --json).
import type { FloatDType } from '../../runtime/ir/dtype';
import { nextTokenTargets, padLeft } from '../../runtime/tasks/batch';
import { scoreTokens } from '../../runtime/tasks/objectives';
import { type CliCommand, parseFlags, UsageError } from '../command';
import {
  CONTEXT_FLAGS,
  CONTEXT_USAGE,
  checkBatchMemory,
  fitContext,
  loadModelForCli,
  makeRuntime,
  RUNTIME_FLAGS,
  RUNTIME_USAGE,
  tokenizerForCli,
} from '../model-args';
import { editFromFlags, PATCH_FLAGS, PATCH_USAGE } from './patch';

export const scoreCommand: CliCommand = {
  summary: 'log-probability of answers given prompts (teacher forcing)',
  usage: `Usage: propmend score MODEL_DIR --prompt P --answer A [--prompt P --answer A ...] [options]

The prompt is tokenised with special tokens (BOS for Llama); the answer gets a leading space, is
tokenised without them, and is followed by EOS (as PropMEND scores answers).

  --no-eos           do not append EOS to the answer
${CONTEXT_USAGE}
${RUNTIME_USAGE}
${PATCH_USAGE}
  --json             {"scores":[{"prompt","answer","logprob","tokens","meanLogprob","exact"}]}`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      prompt: { type: 'string', multiple: true },
      answer: { type: 'string', multiple: true },
      'no-eos': { type: 'boolean' },
      json: { type: 'boolean' },
      ...CONTEXT_FLAGS,
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
      const tokenizer = await tokenizerForCli(model.source, model);
      const eos = values['no-eos'] ? [] : model.tokens.eos.slice(0, 1);
      const pairs = prompts.map((p, i) => {
        const answer = answers[i] as string;
        const answerIds = [
          ...tokenizer.encode(answer.startsWith(' ') ? answer : ` ${answer}`, { addSpecialTokens: false }),
          ...eos,
        ];
        const promptIds = tokenizer.encode(p, { addSpecialTokens: true });
        if (answerIds.length === 0)
          throw new UsageError(
            `--answer ${i + 1} is empty after tokenisation; give a non-empty answer or drop --no-eos`,
          );
        if (promptIds.length === 0)
          throw new UsageError(
            `--prompt ${i + 1} is empty after tokenisation (this model adds no BOS token); the first answer token needs a prompt token to follow`,
          );
        const fitted = fitContext(model, [...promptIds, ...answerIds], {
          what: `prompt and answer ${i + 1}`,
          keepTail: answerIds.length + 1,
          ...(values.truncate ? { truncate: true } : {}),
        });
        return { prompt: p, answer, promptIds: fitted.slice(0, fitted.length - answerIds.length), answerIds };
      });
      checkBatchMemory(
        model,
        pairs.length,
        pairs.reduce((max, x) => Math.max(max, x.promptIds.length + x.answerIds.length), 0),
        false,
      );
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
