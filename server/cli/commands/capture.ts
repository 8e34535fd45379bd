// `propmend capture`: for a text and the CLM loss over it, each target MLP linear's token-wise inputs u and
// output gradients delta (the rank-1 factors PropMEND's hypernetwork reads), written as F32 safetensors.
import { claimOutput } from '../../common/output';
import type { FloatDType, HostTensor } from '../../runtime/ir/dtype';
import { writeSafetensors } from '../../runtime/load/writer';
import { nextTokenTargets } from '../../runtime/tasks/batch';
import { capture } from '../../runtime/tasks/objectives';
import { type CliCommand, parseFlags, UsageError } from '../command';
import {
  CONTEXT_FLAGS,
  CONTEXT_USAGE,
  inputIds,
  loadModelForCli,
  lossBatch,
  makeRuntime,
  mlpTargets,
  parseLayers,
  RUNTIME_FLAGS,
  RUNTIME_USAGE,
} from '../model-args';

/** The rows of a [N, d] tensor selected by `rows`. */
function takeRows(t: HostTensor<FloatDType>, rows: readonly number[]): Float32Array {
  const width = t.shape[1] as number;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    out.set(t.data.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}

export const captureCommand: CliCommand = {
  summary: 'per-token inputs u and output gradients delta of chosen MLP linears for a text',
  usage: `Usage: propmend capture MODEL_DIR (--text T | --ids 1,2,3) --out FILE.safetensors [options]

Runs the mean next-token loss over the whole text (--text: BOS for Llama, plus EOS unless --no-eos) and
writes, for each target linear, u.<name> [R, d_in] and delta.<name> [R, d_out] for the R token rows where
both are non-zero. Sum over rows of delta u^T equals that weight's gradient.

  --layers SPEC      layers to capture: 4-15, 3,5,7 or all (default all)
  --modules LIST     MLP matrices per layer: gate_proj,up_proj,down_proj (default all three)
  --no-eos           do not append EOS to --text
  --out FILE         output .safetensors file (written atomically; never a file of MODEL_DIR)
  --force            replace an existing output file
${CONTEXT_USAGE}
${RUNTIME_USAGE}
  --json             print a JSON summary instead of text`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      text: { type: 'string' },
      ids: { type: 'string' },
      layers: { type: 'string' },
      modules: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      'no-eos': { type: 'boolean' },
      json: { type: 'boolean' },
      ...CONTEXT_FLAGS,
      ...RUNTIME_FLAGS,
    });
    if (positionals.length > 1)
      throw new UsageError(`expected one model folder, got ${positionals.length} arguments`);
    if (!values.out) throw new UsageError('give --out FILE.safetensors');
    if (!positionals[0])
      throw new UsageError('give the model folder (config.json, *.safetensors, tokenizer.json)');
    // Checked before any work: an existing file needs --force, the model's own files are never a target.
    const out = claimOutput(values.out, {
      kind: 'file',
      inputs: [positionals[0]],
      force: Boolean(values.force),
    });
    const runtime = makeRuntime(values);
    try {
      const model = loadModelForCli(positionals[0], runtime, io);
      const targetsList = mlpTargets(parseLayers(values.layers, model.config.numLayers), values.modules);
      const { ids } = await inputIds(model, values, { appendEos: !values['no-eos'] });
      const batch = lossBatch(model, ids);
      const started = performance.now();
      const result = await capture(model, batch, nextTokenTargets(model.dtype, batch), targetsList);
      const seconds = (performance.now() - started) / 1000;
      const tensors = targetsList.flatMap((name) => {
        const { u, delta } = result.layers.get(name) as {
          u: HostTensor<FloatDType>;
          delta: HostTensor<FloatDType>;
        };
        return [
          {
            name: `u.${name}`,
            shape: [result.rows.length, u.shape[1] as number],
            data: takeRows(u, result.rows),
          },
          {
            name: `delta.${name}`,
            shape: [result.rows.length, delta.shape[1] as number],
            data: takeRows(delta, result.rows),
          },
        ];
      });
      writeSafetensors(out, tensors, 'F32', {
        metadata: {
          loss: String(result.loss),
          rows: result.rows.join(','),
          source: model.source,
          format: 'pt',
        },
      });
      const summary = {
        loss: result.loss,
        tokens: ids.length,
        rows: result.rows.length,
        linears: targetsList.length,
        seconds,
        out,
      };
      if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else
        io.stdout(
          `captured ${targetsList.length} linears x ${result.rows.length} rows (loss ${result.loss.toFixed(4)}) in ${seconds.toFixed(2)}s -> ${out}\n`,
        );
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
