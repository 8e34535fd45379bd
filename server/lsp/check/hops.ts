// Following relation paths through the new fact and the KB: where a propagation or locality path leads,
// and what type each hop yields. Shared by the path, answer and hover logic; pure lookups, no diagnostics.
import type { Instance, Question } from '../../dataset/instance';
import type { Kb } from '../../dataset/kb';
import { normalize } from '../../dataset/match';

/**
 * The objects a question's path leads to, or undefined when the KB does not determine them
 * (an unknown relation, a hop from a non-entity, or an entity with no stated fact for the hop).
 * Propagation paths start at the instance's triples; locality paths start at their `entity`.
 */
export function pathEnd(inst: Instance, q: Question, kb: Kb): string[] | undefined {
  const path = q.path;
  if (!path || path.length === 0) return undefined;
  let current: string[];
  let rest: readonly string[];
  if (q.list === 'propagation') {
    const first = path[0] as string;
    current = inst.triples
      .filter((t) => t.relation === first && t.object !== undefined)
      .filter(
        (t) =>
          t.subject === undefined ||
          inst.subject === undefined ||
          normalize(t.subject) === normalize(inst.subject),
      )
      .map((t) => canonical(kb, t.object as string));
    rest = path.slice(1);
  } else {
    if (!q.entity) return undefined;
    current = [canonical(kb, q.entity)];
    rest = path;
  }
  if (current.length === 0) return undefined;
  for (const hop of rest) {
    if (!kb.relations.has(hop)) return undefined;
    const next: string[] = [];
    for (const c of current) {
      const entity = kb.entities.get(c);
      if (!entity) return undefined;
      const objects = entity.facts.get(hop)?.objects;
      if (!objects || objects.length === 0) return undefined;
      for (const o of objects) next.push(canonical(kb, o));
    }
    current = [...new Set(next)];
  }
  return current;
}

function canonical(kb: Kb, text: string): string {
  return kb.resolve(text)?.name ?? text;
}

/** True when `answer` or one of `aliases` names one of `ends` (by name or KB alias, case-insensitively). */
export function answerMatches(
  kb: Kb,
  ends: readonly string[],
  answer: string,
  aliases: readonly string[],
): boolean {
  const forms = new Set<string>();
  for (const e of ends) {
    forms.add(normalize(e));
    for (const a of kb.entities.get(e)?.aliases ?? []) forms.add(normalize(a));
  }
  return [answer, ...aliases].some((a) => forms.has(normalize(a)));
}
