// `propmend grad`: gradients of the mean next-token cross-entropy of one sequence w.r.t. chosen parameters,
// written as F32 safetensors under the Hugging Face names. Loss on stdout as JSON; progress on stderr.
import { claimOutput } from '../../common/output';
import { writeSafetensors } from '../../runtime/load/writer';
import { nextTokenTargets } from '../../runtime/tasks/batch';
import { lossGradients } from '../../runtime/tasks/objectives';
import { type CliCommand, parseFlags, UsageError } from '../command';
import {
  CONTEXT_FLAGS,
  CONTEXT_USAGE,
  inputIds,
  loadModelForCli,
  lossBatch,
  makeRuntime,
  RUNTIME_FLAGS,
  RUNTIME_USAGE,
  selectParameters,
} from '../model-args';

export const gradCommand: CliCommand = {
  summary: 'gradients of the next-token loss of a text w.r.t. chosen parameters, as safetensors',
  usage: `Usage: propmend grad MODEL_DIR (--text T | --ids 1,2,3) --params NAME[,NAME...] --out FILE.safetensors [--json]

Computes the mean next-token cross-entropy over every position of the sequence and writes its F32
gradient for each selected parameter under its Hugging Face name. --text is tokenised with the model's
special tokens (BOS for Llama); --ids are used exactly as given (no BOS added).
Prints {"loss": ..., ...} to stdout.

  --params LIST      comma-separated parameter names; * is a wildcard; "all" for every parameter
  --out FILE         output .safetensors file (written atomically; never a file of MODEL_DIR)
  --force            replace an existing output file
${CONTEXT_USAGE}
${RUNTIME_USAGE}
  --json             accepted for symmetry with other commands (the output is always JSON)`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      text: { type: 'string' },
      ids: { type: 'string' },
      params: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
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
      const params = selectParameters(model, values.params);
      const { ids } = await inputIds(model, values);
      const batch = lossBatch(model, ids);
      const targets = nextTokenTargets('float32', batch);
      const { loss, gradients } = await lossGradients(model, batch, targets, params);
      writeSafetensors(
        out,
        params.map((name) => {
          const g = gradients.get(name);
          if (!g) throw new Error(`no gradient computed for ${name}`);
          return { name, shape: g.shape, data: g.data };
        }),
        'F32',
        { metadata: { loss: String(loss), source: model.source, ids: ids.join(','), format: 'pt' } },
      );
      io.stderr(
        `loss ${loss.toFixed(6)} over ${targets.count} predicted tokens; wrote ${params.length} gradients to ${out}\n`,
      );
      io.stdout(`${JSON.stringify({ loss, tokens: targets.count, parameters: params.length, out })}\n`);
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
