// `propmend edit SPEC.edit.json`: applies one edit from the original weights and prints, for every
// propagation and locality question, the greedy answer before and after, the gold answer, correctness and
// the gold answer's log-probability, plus timings and the edit's size. A thin adapter over server/jobs/edit.ts.
import { editJob } from '../../jobs/edit';
import { type CliCommand, parseFlags, UsageError } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE } from '../model-args';
import { claimPatchOutput, savePatchFromEdit } from './patch';

export const editCommand: CliCommand = {
  summary: 'apply one edit from an edit spec and show answers before and after',
  usage: `Usage: propmend edit SPEC.edit.json [--json] [--save-patch P.edit.safetensors [--force]]

Loads the spec's model and hypernetwork (paths relative to the spec; when the spec names none and the model
is the shipped one, the shipped PropMEND hypernetwork; "hypernetwork": null takes one raw gradient step of
size edit_lr_scale instead), edits with the fact from the original weights, and answers every question
greedily before and after.

  --save-patch P     also save the edit as a patch file (*.edit.safetensors; see propmend patch)
  --force            replace an existing --save-patch file
${RUNTIME_USAGE}
  --json             {"fact","method","questions":[{"kind","question","gold","before","after","correct_before",
                     "correct_after","logprob_before","logprob_after"}],"timings_ms":{...},"edit_size":{...}}`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      json: { type: 'boolean' },
      'save-patch': { type: 'string' },
      force: { type: 'boolean' },
      ...RUNTIME_FLAGS,
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one SPEC.edit.json');
    const specFile = positionals[0] as string;
    const savePatch = values['save-patch'];
    if (values.force && savePatch === undefined) throw new UsageError('--force belongs to --save-patch');
    if (savePatch !== undefined) claimPatchOutput(savePatch, specFile, Boolean(values.force));
    const runtime = makeRuntime(values);
    try {
      const result = await runJob(io, 'editing', (ctx) => editJob({ specFile }, runtime, ctx));
      const { report } = result;
      if (savePatch !== undefined) {
        const file = savePatchFromEdit(savePatch, result, Boolean(values.force));
        io.stderr(`saved the edit as ${file} (apply it with propmend patch apply)\n`);
      }
      if (values.json) {
        io.stdout(`${JSON.stringify(report)}\n`);
        return 0;
      }
      io.stdout(`${report.method} edit: ${report.fact}\n`);
      const mark = (c: boolean | null) => (c === null ? '-' : c ? 'yes' : 'no');
      for (const q of report.questions) {
        io.stdout(
          `[${q.kind}] ${q.question}\n  gold: ${q.gold ?? '(none)'} | before: ${q.before} (${mark(q.correct_before)}) | after: ${q.after} (${mark(q.correct_after)})${q.logprob_before === null ? '' : ` | log p(gold) ${q.logprob_before.toFixed(2)} -> ${(q.logprob_after as number).toFixed(2)}`}\n`,
        );
      }
      const t = report.timings_ms;
      io.stdout(
        `timings: capture ${t.capture.toFixed(0)} ms, transform ${t.transform.toFixed(0)} ms, answering ${t.answering.toFixed(0)} ms; edit: ${report.edit_size.targets} matrices, rank ${report.edit_size.rank}, ${report.edit_size.parameters} numbers\n`,
      );
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
