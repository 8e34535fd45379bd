// The state one sidecar process keeps between requests: the loaded model (weights, tokenizer, runtime and its
// compiled graphs, so a second edit costs only the edit), the hypernetworks checked against it, and the
// in-memory patch stack of edits applied in this session. Every method is a job body (JobContext in, plain
// protocol data out); the stack changes only after an edit has fully succeeded, so a cancelled or failed
// request leaves the model unedited. Never prints; never writes except where savePatch/exportModel are told.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { TextTokenizer } from '../common/tokenizer';
import { type JobContext, phase } from '../jobs/context';
import { type EditPlan, editLoaded, planFromInstance, planFromSpec } from '../jobs/edit';
import { type LoadedHypernetwork, loadHypernetForJob } from '../jobs/hypernet';
import { loadModelForJob } from '../jobs/load';
import {
  type ApplyEditParams,
  type ApplyEditResult,
  type InstanceSource,
  type LoadModelParams,
  type ModelInfo,
  type PatchInfo,
  type PatchListResult,
  type RevertParams,
  type RevertResult,
  RuntimeErrorCode,
  type RuntimeProvider,
} from '../protocol';
import { stackEdits } from '../runtime/edit/edit-stack';
import { modelIdentity } from '../runtime/edit/identity';
import type { LanguageModel } from '../runtime/models/language-model';
import { Runtime } from '../runtime/session/runtime';
import type { LowRankEdit } from '../runtime/tasks/forward';
import { SidecarError } from './errors';

export interface LoadedModel {
  readonly model: LanguageModel;
  readonly tokenizer: TextTokenizer;
  readonly modelDir: string;
  readonly info: ModelInfo;
}

/** One applied edit: what the client sees, and what running, saving and exporting it needs. */
export interface SessionPatch {
  info: PatchInfo;
  readonly edit: LowRankEdit;
  readonly hypernet?: LoadedHypernetwork;
  readonly subject: string | null;
  readonly editLrScale: number;
}

export class SidecarSession {
  private runtime: Runtime | undefined;
  private current: LoadedModel | undefined;
  private readonly stack: SessionPatch[] = [];
  private readonly hypernets = new Map<string, LoadedHypernetwork>();
  private nextId = 1;
  /** The provider and threads of the last load, used when a spec loads its own model. */
  private runtimeChoice: { provider: RuntimeProvider; threads?: number } = { provider: 'cpu' };

  get loaded(): LoadedModel | undefined {
    return this.current;
  }

  get patches(): readonly SessionPatch[] {
    return this.stack;
  }

  /** Loads a model folder, or returns the loaded one when folder, provider and threads are unchanged. */
  async loadModel(params: LoadModelParams, ctx: JobContext): Promise<ModelInfo> {
    const folder = resolve(params.folder);
    const provider = params.provider ?? this.runtimeChoice.provider;
    const threads = params.threads ?? this.runtimeChoice.threads;
    if (threads !== undefined && threads > availableParallelism())
      throw new SidecarError(
        RuntimeErrorCode.InputError,
        `threads must be between 1 and ${availableParallelism()} (this machine's CPU cores), got ${threads}`,
        { field: 'threads' },
      );
    const cur = this.current;
    if (
      cur &&
      cur.modelDir === folder &&
      cur.info.provider === provider &&
      (threads === undefined || cur.info.threads === threads)
    )
      return cur.info;
    if (cur && cur.modelDir !== folder && this.stack.length > 0)
      throw new SidecarError(
        RuntimeErrorCode.ModelMismatch,
        `${this.stack.length} edit${this.stack.length === 1 ? ' is' : 's are'} applied to ${cur.modelDir}; revert them (or export the edited model) before loading ${folder}`,
        { field: 'folder' },
      );
    const started = performance.now();
    const runtime = new Runtime({ provider, ...(threads !== undefined ? { threads } : {}) });
    let loaded: { model: LanguageModel; tokenizer: TextTokenizer };
    try {
      loaded = await loadModelForJob(folder, runtime, phase(ctx, 0, 0.9, 'loading'));
    } catch (error) {
      await runtime.dispose();
      throw error;
    }
    ctx.progress({ fraction: 0.9, message: 'hashing the weights' });
    const { model } = loaded;
    const identity = modelIdentity(model, [...model.weights.keys()]);
    let parameters = 0;
    for (const w of model.weights.values()) parameters += w.data.length;
    const info: ModelInfo = {
      folder,
      model_type: identity.model_type,
      hidden_size: identity.hidden_size,
      intermediate_size: identity.intermediate_size,
      num_layers: identity.num_layers,
      vocab_size: identity.vocab_size,
      parameters,
      dtype: model.dtype,
      weights_sha256: identity.target_weights_sha256,
      provider,
      threads: runtime.threads,
      load_ms: Math.round(performance.now() - started),
    };
    const old = this.runtime;
    this.runtime = runtime;
    this.current = { ...loaded, modelDir: folder, info };
    this.runtimeChoice = { provider, ...(threads !== undefined ? { threads } : {}) };
    this.hypernets.clear();
    await old?.dispose();
    ctx.log(
      `loaded ${folder} (${info.model_type}, ${parameters} parameters, ${provider}, ${info.threads} threads) in ${info.load_ms} ms`,
    );
    ctx.progress({ fraction: 1, message: 'loaded' });
    return info;
  }

  /** The loaded model, loading `folder` first when given and different (a spec's model). */
  private async modelFor(folder: string | undefined, ctx: JobContext): Promise<LoadedModel> {
    if (folder !== undefined && this.current?.modelDir !== resolve(folder))
      await this.loadModel({ folder, ...this.runtimeChoice }, ctx);
    if (!this.current)
      throw new SidecarError(
        RuntimeErrorCode.NoModel,
        'no model is loaded; select a model first (propmend/loadModel), or edit from an edit spec that names one',
      );
    return this.current;
  }

  /** A hypernetwork checked against the loaded model, loaded once per model. */
  readonly hypernetFor = (path: string, model: LanguageModel, method?: 'propmend' | 'mend') => {
    const key = `${method ?? ''}|${path}`;
    let net = this.hypernets.get(key);
    if (!net) {
      net = loadHypernetForJob(path, model, method);
      this.hypernets.set(key, net);
    }
    return net;
  };

  /** The edit plan of a spec or a dataset instance. */
  plan(source: InstanceSource): EditPlan {
    return source.kind === 'spec'
      ? planFromSpec(source.file)
      : planFromInstance(source.file, {
          ...(source.line !== undefined ? { line: source.line } : {}),
          ...(source.id !== undefined ? { id: source.id } : {}),
        });
  }

  /** The stack's edits as one (undefined when empty). */
  stackedEdit(): LowRankEdit | undefined {
    return stackEdits(this.stack.map((p) => p.edit));
  }

  async applyEdit(params: ApplyEditParams, ctx: JobContext): Promise<ApplyEditResult> {
    const started = performance.now();
    const plan = this.plan(params.source);
    const hadModel = this.current?.modelDir;
    if (
      plan.modelDir !== undefined &&
      hadModel !== undefined &&
      hadModel !== plan.modelDir &&
      this.stack.length
    )
      throw new SidecarError(
        RuntimeErrorCode.ModelMismatch,
        `${plan.file} edits ${plan.modelDir}, but ${this.stack.length} edit${this.stack.length === 1 ? ' is' : 's are'} applied to ${hadModel}; revert them first`,
        { file: plan.file, field: 'model' },
      );
    const needsLoad = plan.modelDir !== undefined && hadModel !== plan.modelDir;
    const loaded = await this.modelFor(plan.modelDir, phase(ctx, 0, needsLoad ? 0.3 : 0, 'loading'));
    const base = this.stackedEdit();
    const result = await editLoaded(plan, loaded, phase(ctx, needsLoad ? 0.3 : 0, 1, 'editing'), {
      ...(params.method !== undefined ? { method: params.method } : {}),
      ...(params.hypernet !== undefined ? { hypernet: params.hypernet } : {}),
      ...(base ? { base } : {}),
      loadHypernet: this.hypernetFor,
    });
    // Past this point nothing can fail: the stack changes only for a finished edit.
    const info: PatchInfo = {
      id: `p${this.nextId++}`,
      position: this.stack.length + 1,
      fact: result.report.fact,
      method: result.report.method,
      source: params.source,
      applied_at: new Date().toISOString(),
      saved_to: null,
    };
    this.stack.push({
      info,
      edit: result.edit,
      ...(result.hypernet ? { hypernet: result.hypernet } : {}),
      subject: result.subject,
      editLrScale: result.editLrScale,
    });
    ctx.log(`applied ${info.id}: ${JSON.stringify(info.fact)} (${result.report.method})`);
    return { patch: info, report: result.report, elapsed_ms: Math.round(performance.now() - started) };
  }

  listPatches(): PatchListResult {
    return { model: this.current?.modelDir ?? null, patches: this.stack.map((p) => p.info) };
  }

  /** The patch with `id`, or the NoSuchPatch error listing the ids there are. */
  patch(id: string): SessionPatch {
    const hit = this.stack.find((p) => p.info.id === id);
    if (!hit)
      throw new SidecarError(
        RuntimeErrorCode.NoSuchPatch,
        `no applied edit has id "${id}"; applied: ${this.stack.map((p) => p.info.id).join(', ') || 'none'}`,
        { field: 'id' },
      );
    return hit;
  }

  revert(params: RevertParams): RevertResult {
    if (this.stack.length === 0)
      throw new SidecarError(RuntimeErrorCode.NoSuchPatch, 'no edit is applied; nothing to revert');
    const target = params.id !== undefined ? this.patch(params.id) : (this.stack.at(-1) as SessionPatch);
    this.stack.splice(this.stack.indexOf(target), 1);
    this.renumber();
    return { ...this.listPatches(), reverted: [target.info] };
  }

  revertAll(): RevertResult {
    const reverted = this.stack.splice(0, this.stack.length).map((p) => p.info);
    return { ...this.listPatches(), reverted };
  }

  private renumber(): void {
    this.stack.forEach((p, i) => {
      p.info = { ...p.info, position: i + 1 };
    });
  }

  async dispose(): Promise<void> {
    await this.runtime?.dispose();
    this.runtime = undefined;
    this.current = undefined;
  }
}
