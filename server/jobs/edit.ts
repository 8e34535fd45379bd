// One edit from an edit spec as a job (`propmend edit SPEC.edit.json`): read the spec through the dataset
// model, resolve its paths against the spec's folder, load the model and the hypernetwork (the spec's, the
// shipped one for the shipped model when the spec names none, or a raw gradient step when it says null),
// and return the before/after report and the edit's factors (for --save-patch).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { readEditSpec } from '../dataset';
import { resolveLayers, targetLinears } from '../runtime/edit/layers';
import type { AskedQuestion, EditReport } from '../runtime/edit/single-edit';
import { editWithReport } from '../runtime/edit/single-edit';
import type { LanguageModel } from '../runtime/models/language-model';
import { MLP_MODULES, type MlpModule } from '../runtime/models/transformer';
import type { Runtime } from '../runtime/session/runtime';
import type { LowRankEdit } from '../runtime/tasks/forward';
import { type JobContext, JobInputError, phase } from './context';
import { type LoadedHypernetwork, loadHypernetForJob, resolveHypernet } from './hypernet';
import { loadModelForJob } from './load';

export interface EditJobResult {
  readonly report: EditReport;
  readonly edit: LowRankEdit;
  /** The hypernetwork used (absent for a raw gradient step). */
  readonly hypernet?: LoadedHypernetwork;
  readonly modelDir: string;
  /** The unedited model (for the patch's identity) and the spec's subject and step scale (for --save-patch). */
  readonly model: LanguageModel;
  readonly subject: string | null;
  readonly editLrScale: number;
}

export async function editJob(
  params: { specFile: string },
  runtime: Runtime,
  ctx: JobContext,
): Promise<EditJobResult> {
  const file = resolve(params.specFile);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new JobInputError(
      `cannot read the edit spec ${file}: ${(error as Error).message}; run \`propmend check ${file}\``,
    );
  }
  const spec = readEditSpec(raw);
  const instance = spec.instance;
  if (!spec.paths.model) throw new JobInputError(`${file}: "model" is missing; name the model folder`);
  if (!instance?.fact) throw new JobInputError(`${file}: "fact" is missing; write the new fact as text`);
  const base = dirname(file);
  const modelDir = resolve(base, spec.paths.model);
  const { model, tokenizer } = await loadModelForJob(modelDir, runtime, phase(ctx, 0, 0.3, 'loading'));
  const modules = Array.isArray(raw.modules)
    ? (raw.modules.filter((m) => MLP_MODULES.includes(m as MlpModule)) as MlpModule[])
    : [...MLP_MODULES];
  let targets: string[];
  try {
    const layers =
      spec.layers === undefined
        ? 'max'
        : typeof spec.layers === 'string'
          ? spec.layers
          : spec.layers.map((l) => l.layer);
    targets = targetLinears(resolveLayers(layers, model.config.numLayers), modules);
  } catch (error) {
    throw new JobInputError(`${file}: "layers": ${(error as Error).message}`);
  }
  let hypernet: LoadedHypernetwork | undefined;
  if (raw.hypernetwork !== null) {
    const path = resolveHypernet(
      'propmend',
      modelDir,
      spec.paths.hypernetwork ? resolve(base, spec.paths.hypernetwork) : undefined,
    );
    hypernet = loadHypernetForJob(path, model);
    const trained = hypernet.net.layout.spec.targets;
    if (trained.join(',') !== targets.join(','))
      throw new JobInputError(
        `${file}: "layers"/"modules" select ${targets.length} matrices, but ${hypernet.file} was trained for ${trained.join(', ')}; set "layers" to the hypernetwork's layers`,
      );
  }
  const scale = typeof raw.edit_lr_scale === 'number' && raw.edit_lr_scale > 0 ? raw.edit_lr_scale : 1;
  const questions: AskedQuestion[] = [...instance.propagation, ...instance.locality].flatMap((q) =>
    q.question === undefined
      ? []
      : [
          {
            kind: q.kind === 'non-verbatim' ? ('nonverbatim' as const) : q.kind,
            question: q.question,
            answer: q.answer ?? null,
            aliases: q.aliases.map((a) => a.text),
          },
        ],
  );
  ctx.progress({ fraction: 0.4, message: 'editing and answering' });
  const { report, edit } = await editWithReport(model, tokenizer, {
    fact: instance.fact,
    questions,
    ...(hypernet ? { hypernet: { net: hypernet.net, method: hypernet.method } } : {}),
    targets,
    editLrScale: scale,
  });
  ctx.progress({ fraction: 1, message: 'done' });
  return {
    report,
    edit,
    ...(hypernet ? { hypernet } : {}),
    modelDir,
    model,
    subject: instance.subject ?? null,
    editLrScale: scale,
  };
}
