// MEMIT's requests from an edit instance: for each triple (subject, relation, object) the relation's prompt
// template when one is given (CounterFact-style, "Where was {subject} born?"), else the sentence of the fact
// that states it, cut before the object into a prompt (text before the subject, the subject, the text after)
// and the object as target; requests sharing subject and prefix share one key (memit-spec.md §7.13) and are
// grouped so one value vector is optimised for all of them. Pure functions over the dataset model's Instance,
// plus reading a world KB's relation templates.
import { readFileSync } from 'node:fs';
import type { Instance } from '../../dataset/index';

export interface MemitRequest {
  /** Text before the subject in the prompt (often empty). */
  readonly before: string;
  readonly subject: string;
  /** Text between the subject and the target, e.g. " was born in". */
  readonly rest: string;
  /** The object, without a leading space. */
  readonly target: string;
}

/** Requests with the same subject and prefix: identical keys, one optimised value. */
export interface RequestGroup {
  readonly before: string;
  readonly subject: string;
  readonly requests: readonly MemitRequest[];
}

/** An instance MEMIT cannot turn into requests: the message names the instance and the fix. */
export class MemitRequestError extends Error {
  override name = 'MemitRequestError';
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Relation name -> prompt template with one "{subject}" (the object follows the prompt). */
export type RelationPrompts = ReadonlyMap<string, string>;

/**
 * The one-hop question template of every relation of a world KB file (`relations.<name>.question`, e.g.
 * "Where was {subject} born?"): the only relation-specific phrasing the world has that puts text before the
 * subject (its statements all start with the subject). Relations without a usable template are left out.
 */
export function relationPromptsFromKb(path: string): RelationPrompts {
  let kb: unknown;
  try {
    kb = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MemitRequestError(
      `cannot read the world KB ${path} for MEMIT's relation prompts (${(error as Error).message}); pass a world.kb.json`,
    );
  }
  const relations = (kb as { relations?: unknown }).relations;
  const out = new Map<string, string>();
  if (relations && typeof relations === 'object')
    for (const [name, spec] of Object.entries(relations as Record<string, unknown>)) {
      const q = (spec as { question?: unknown } | null)?.question;
      if (typeof q === 'string' && q.split('{subject}').length === 2) out.set(name, q);
    }
  return out;
}

function templateRequest(template: string, subject: string, target: string): MemitRequest {
  const i = template.indexOf('{subject}');
  return {
    before: template.slice(0, i),
    subject,
    rest: template.slice(i + '{subject}'.length).trimEnd(),
    target,
  };
}

/**
 * One request per triple: its relation's prompt template when `relationPrompts` has one, else the sentence
 * of the fact that states it as "... subject ... object".
 */
export function memitRequests(instance: Instance, relationPrompts?: RelationPrompts): MemitRequest[] {
  const name = instance.id ?? 'the instance';
  if (!instance.fact) throw new MemitRequestError(`${name} has no "fact"; MEMIT edits the fact's triples`);
  const parts = sentences(instance.fact);
  const requests: MemitRequest[] = [];
  for (const t of instance.triples) {
    const subject = t.subject ?? instance.subject;
    if (!subject || !t.object) continue;
    const template = t.relation ? relationPrompts?.get(t.relation) : undefined;
    if (template) {
      requests.push(templateRequest(template, subject, t.object));
      continue;
    }
    for (const s of parts) {
      const si = s.indexOf(subject);
      const oi = si < 0 ? -1 : s.indexOf(t.object, si + subject.length);
      if (oi < 0) continue;
      requests.push({
        before: s.slice(0, si),
        subject,
        rest: s.slice(si + subject.length, oi).trimEnd(),
        target: t.object,
      });
      break;
    }
  }
  if (requests.length === 0)
    throw new MemitRequestError(
      `${name}: no triple's subject and object appear in one sentence of the fact; MEMIT needs "triples" whose objects the fact states after their subjects`,
    );
  return requests;
}

/** Groups requests by (prefix, subject), in first-seen order. */
export function groupRequests(requests: readonly MemitRequest[]): RequestGroup[] {
  const groups = new Map<string, { before: string; subject: string; requests: MemitRequest[] }>();
  for (const r of requests) {
    const key = JSON.stringify([r.before, r.subject]);
    const g = groups.get(key) ?? { before: r.before, subject: r.subject, requests: [] };
    g.requests.push(r);
    groups.set(key, g);
  }
  return [...groups.values()];
}
