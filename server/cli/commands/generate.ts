// `propmend generate`: greedy continuations of one or more prompts with the KV cache, stopping at EOS,
// a stop string or the token budget. Completions to stdout (text or --json); progress on stderr.
import { cutAtStop, generateGreedy } from '../../runtime/tasks/generate';
import { type CliCommand, numberFlag, parseFlags, UsageError } from '../command';
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

export const generateCommand: CliCommand = {
  summary: 'greedy completions of prompts (KV cache, stop strings)',
  usage: `Usage: propmend generate MODEL_DIR --prompt TEXT [--prompt TEXT ...] [options]

Each prompt is tokenised with the model's special tokens (BOS for Llama) and continued greedily.

  --max-new-tokens N   token budget per prompt (default 20)
  --stop STR           stop when the completion contains STR (repeatable)
  --batch-size N       prompts per forward pass (default 16)
${CONTEXT_USAGE}
${RUNTIME_USAGE}
${PATCH_USAGE}
  --json               {"generations":[{"prompt","completion","tokens","finish"}]}`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      prompt: { type: 'string', multiple: true },
      'max-new-tokens': { type: 'string' },
      stop: { type: 'string', multiple: true },
      'batch-size': { type: 'string' },
      json: { type: 'boolean' },
      ...CONTEXT_FLAGS,
      ...RUNTIME_FLAGS,
      ...PATCH_FLAGS,
    });
    if (positionals.length > 1)
      throw new UsageError(`expected one model folder, got ${positionals.length} arguments`);
    const prompts = values.prompt ?? [];
    if (prompts.length === 0) throw new UsageError('give at least one --prompt');
    const maxNewTokens = numberFlag('max-new-tokens', values['max-new-tokens'], 20, {
      min: 1,
      max: 4096,
      integer: true,
    });
    const batchSize = numberFlag('batch-size', values['batch-size'], 16, { min: 1, integer: true });
    const stop = values.stop ?? [];
    const runtime = makeRuntime(values);
    try {
      const model = loadModelForCli(positionals[0], runtime, io);
      const edit = editFromFlags(model, values, io);
      const tokenizer = await tokenizerForCli(model.source, model);
      const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
      const encoded = prompts.map((p, i) =>
        fitContext(model, tokenizer.encode(p, { addSpecialTokens: true }), {
          what: `prompt ${i + 1}`,
          reserve: maxNewTokens,
          ...(values.truncate ? { truncate: true } : {}),
        }),
      );
      const longest = encoded.reduce((max, ids) => Math.max(max, ids.length), 0);
      checkBatchMemory(model, Math.min(batchSize, encoded.length), longest + maxNewTokens, false);
      const results = await generateGreedy(model, encoded, {
        maxNewTokens,
        stop,
        decode,
        batchSize,
        signal: io.signal,
        ...(edit ? { edit } : {}),
      });
      const generations = results.map((r, i) => ({
        prompt: prompts[i] as string,
        completion: cutAtStop(decode(r.ids), stop).trim(),
        tokens: r.ids.length,
        finish: r.finish,
      }));
      if (values.json) io.stdout(`${JSON.stringify({ generations })}\n`);
      else for (const g of generations) io.stdout(`${g.prompt} => ${g.completion}\n`);
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
