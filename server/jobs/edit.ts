// One edit as a job: `propmend edit SPEC.edit.json` and the sidecar's applyEdit. An edit plan is read from an
// edit spec (its paths resolved against the spec's folder) or from one instance of a dataset file; the edit
// runs on a loaded model with the plan's hypernetwork (the spec's, the shipped one for the shipped model when
// none is named, or a raw gradient step when a spec says null) and returns the before/after report and the
// edit's factors (for --save-patch and the sidecar's patch stack).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { shippedAssets } from '../common/paths';
import type { TextTokenizer } from '../common/tokenizer';
import { type Instance, readEditSpec, readInstanceFile } from '../dataset';
import { type LayerSpec, resolveLayers, targetLinears } from '../runtime/edit/layers';
import type { AskedQuestion, EditReport } from '../runtime/edit/single-edit';
import { editWithReport } from '../runtime/edit/single-edit';
import type { LanguageModel } from '../runtime/models/language-model';
import { MLP_MODULES, type MlpModule } from '../runtime/models/transformer';
import type { Runtime } from '../runtime/session/runtime';
import type { LowRankEdit } from '../runtime/tasks/forward';
import { JobCancelled, type JobContext, JobInputError, phase } from './context';
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

/** What to edit, read from a spec or a dataset instance, before any model is loaded. */
export interface EditPlan {
  /** The spec or dataset file (absolute), for messages. */
  readonly file: string;
  /** The spec's model folder (absolute); undefined for a dataset instance (the caller's loaded model). */
  readonly modelDir?: string;
  readonly fact: string;
  readonly subject: string | null;
  readonly questions: readonly AskedQuestion[];
  /** The spec's layers and modules; undefined for an instance (the hypernetwork's own targets). */
  readonly layers?: LayerSpec;
  readonly modules?: readonly MlpModule[];
  /** A hypernetwork path; null for a raw gradient step; undefined for the shipped one. */
  readonly hypernet: string | null | undefined;
  readonly editLrScale: number;
}

function askedQuestions(instance: Instance): AskedQuestion[] {
  return [...instance.propagation, ...instance.locality].flatMap((q) =>
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
}

/** The plan of an edit spec; unreadable or incomplete specs are JobInputErrors naming the file and field. */
export function planFromSpec(specFile: string): EditPlan {
  const file = resolve(specFile);
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
  if (!instance?.fact) throw new JobInputError(`${file}: "fact" is missing; write the new fact as text`);
  const base = dirname(file);
  const modules = Array.isArray(raw.modules)
    ? (raw.modules.filter((m) => MLP_MODULES.includes(m as MlpModule)) as MlpModule[])
    : [...MLP_MODULES];
  const layers =
    spec.layers === undefined
      ? 'max'
      : typeof spec.layers === 'string'
        ? spec.layers
        : spec.layers.map((l) => l.layer);
  return {
    file,
    // A spec that names no model is for the shipped one (so a copied examples/ folder keeps working).
    modelDir: spec.paths.model ? resolve(base, spec.paths.model) : shippedAssets().model,
    fact: instance.fact,
    subject: instance.subject ?? null,
    questions: askedQuestions(instance),
    layers,
    modules,
    hypernet:
      raw.hypernetwork === null
        ? null
        : spec.paths.hypernetwork
          ? resolve(base, spec.paths.hypernetwork)
          : undefined,
    editLrScale: typeof raw.edit_lr_scale === 'number' && raw.edit_lr_scale > 0 ? raw.edit_lr_scale : 1,
  };
}

/** The plan of one instance of a `*.ripple.jsonl` file, picked by 1-based line or by id. */
export function planFromInstance(datasetFile: string, pick: { line?: number; id?: string }): EditPlan {
  const file = resolve(datasetFile);
  const read = readInstanceFile(file);
  if (!read.ok) throw new JobInputError(read.message);
  const record =
    pick.line !== undefined
      ? read.instances.find((r) => r.line === (pick.line as number) - 1)
      : read.instances.find((r) => r.instance.id === pick.id);
  const where = pick.line !== undefined ? `${file}:${pick.line}` : `${file} (id "${pick.id}")`;
  if (!record) {
    const problem =
      pick.line !== undefined ? read.problems.find((p) => p.line === (pick.line as number) - 1) : undefined;
    throw new JobInputError(
      problem
        ? `${where}: ${problem.message}; run \`propmend check ${file}\``
        : `${where} holds no instance; the file has ${read.instances.length} (lines ${read.instances
            .slice(0, 5)
            .map((r) => r.line + 1)
            .join(', ')}${read.instances.length > 5 ? ', …' : ''})`,
    );
  }
  const { instance } = record;
  if (!instance.fact)
    throw new JobInputError(`${where}: the instance has no "fact"; write the new fact as text`);
  return {
    file,
    fact: instance.fact,
    subject: instance.subject ?? null,
    questions: askedQuestions(instance),
    hypernet: undefined,
    editLrScale: 1,
  };
}

export interface EditOptions {
  /** The method whose shipped hypernetwork a plan without one uses, and which a given one must be. */
  readonly method?: 'propmend' | 'mend';
  /** A hypernetwork path that replaces the plan's. */
  readonly hypernet?: string;
  /** Edits already applied: answers "before" run under them (the sidecar's patch stack). */
  readonly base?: LowRankEdit;
  /** Loads (or reuses) a checked hypernetwork; default loadHypernetForJob. */
  readonly loadHypernet?: (
    path: string,
    model: LanguageModel,
    method?: 'propmend' | 'mend',
  ) => LoadedHypernetwork;
}

/** Runs a plan on a loaded model: progress 0..1 over the edit and the answering; cancellable between graph runs. */
export async function editLoaded(
  plan: EditPlan,
  loaded: { model: LanguageModel; tokenizer: TextTokenizer; modelDir: string },
  ctx: JobContext,
  options: EditOptions = {},
): Promise<EditJobResult> {
  const { model, tokenizer, modelDir } = loaded;
  const load = options.loadHypernet ?? loadHypernetForJob;
  const hypernetPath = options.hypernet !== undefined ? resolve(options.hypernet) : plan.hypernet;
  let hypernet: LoadedHypernetwork | undefined;
  let targets: string[];
  if (hypernetPath !== null) {
    const path = resolveHypernet(options.method ?? 'propmend', modelDir, hypernetPath);
    hypernet = load(path, model, options.method);
    targets = [...hypernet.net.layout.spec.targets];
  } else targets = [];
  if (plan.layers !== undefined) {
    let wanted: string[];
    try {
      wanted = targetLinears(resolveLayers(plan.layers, model.config.numLayers), plan.modules ?? MLP_MODULES);
    } catch (error) {
      throw new JobInputError(`${plan.file}: "layers": ${(error as Error).message}`);
    }
    if (hypernet && targets.join(',') !== wanted.join(','))
      throw new JobInputError(
        `${plan.file}: "layers"/"modules" select ${wanted.length} matrices, but ${hypernet.file} was trained for ${targets.join(', ')}; set "layers" to the hypernetwork's layers`,
      );
    targets = wanted;
  }
  let result: { report: EditReport; edit: LowRankEdit };
  try {
    result = await editWithReport(model, tokenizer, {
      fact: plan.fact,
      questions: plan.questions,
      ...(hypernet ? { hypernet: { net: hypernet.net, method: hypernet.method } } : {}),
      targets,
      editLrScale: plan.editLrScale,
      ...(options.base ? { base: options.base } : {}),
      signal: ctx.signal,
      onStage: (fraction, message) => ctx.progress({ fraction, message }),
    });
  } catch (error) {
    if (ctx.signal.aborted) throw new JobCancelled('the edit was cancelled; the model is unedited');
    throw error;
  }
  ctx.progress({ fraction: 1, message: 'done' });
  return {
    ...result,
    ...(hypernet ? { hypernet } : {}),
    modelDir,
    model,
    subject: plan.subject,
    editLrScale: plan.editLrScale,
  };
}

/** `propmend edit SPEC`: load the spec's model and run its edit from the original weights. */
export async function editJob(
  params: { specFile: string },
  runtime: Runtime,
  ctx: JobContext,
): Promise<EditJobResult> {
  const plan = planFromSpec(params.specFile);
  const modelDir = plan.modelDir as string;
  const { model, tokenizer } = await loadModelForJob(modelDir, runtime, phase(ctx, 0, 0.3, 'loading'));
  return editLoaded(plan, { model, tokenizer, modelDir }, phase(ctx, 0.3, 1, 'editing'));
}
