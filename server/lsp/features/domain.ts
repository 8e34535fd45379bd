// The entity type a relation slot starts from, so completion offers the relations that apply to it: the
// subject's type for a triple or a question path's first hop, the previous hop's range further along a path,
// the entity's type for a KB fact. Reads the parsed document value only; undefined when it cannot tell.
import type { Kb } from '../../dataset/kb';

type Path = ReadonlyArray<string | number>;

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The type of a named entity: the instance's own subject (often new, so not in the KB) or a KB entity. */
function typeOfName(kb: Kb, instance: Record<string, unknown>, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (name === str(instance.subject) && str(instance.subject_type)) return str(instance.subject_type);
  return kb.resolve(name)?.type || undefined;
}

/** Walks `hops` relations from `start`: each hop's range is the next hop's domain. */
function alongPath(kb: Kb, start: string | undefined, hops: readonly unknown[]): string | undefined {
  let type = start;
  for (const hop of hops) {
    if (type === undefined || typeof hop !== 'string') return undefined;
    type = kb.relations.get(hop)?.range || undefined;
  }
  return type;
}

/** The domain a relation at `path` of an instance value (a dataset line or an edit spec) must have. */
export function instanceRelationDomain(kb: Kb, value: unknown, path: Path): string | undefined {
  if (!isObj(value)) return undefined;
  const [list, index, field, hop] = path;
  const items = typeof list === 'string' ? value[list] : undefined;
  const item = Array.isArray(items) && typeof index === 'number' ? items[index] : undefined;
  if (!isObj(item)) return undefined;
  if (list === 'triples' && field === 'relation') return typeOfName(kb, value, str(item.subject));
  if (field !== 'path' || typeof hop !== 'number' || !Array.isArray(item.path)) return undefined;
  const start =
    list === 'propagation'
      ? typeOfName(kb, value, str(value.subject))
      : list === 'locality'
        ? typeOfName(kb, value, str(item.entity))
        : undefined;
  return alongPath(kb, start, item.path.slice(0, hop));
}

/** The domain a relation key in `entities.<name>.facts` of a KB file must have: the entity's type. */
export function kbFactDomain(kb: Kb, path: Path): string | undefined {
  const [section, name, field] = path;
  if (section !== 'entities' || field !== 'facts' || typeof name !== 'string') return undefined;
  return kb.entities.get(name)?.type || kb.resolve(name)?.type || undefined;
}
