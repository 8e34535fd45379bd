// The pretraining corpus: every KB fact in each of its surface forms, a question for every fact (qa1), the
// multi-hop questions about every known person (qa2), and reading-comprehension examples (a fact about a
// reading person in context, then a question that needs the KB). Pure: no IO.
import type { Rng } from '../common/random';
import { allFacts, follow, type Kb, statement } from './kb';
import { fill, PATHS, PERSON_RELATION_RANGE, PERSON_RELATIONS, relation } from './schema';

export type CorpusKind = 'fact' | 'qa1' | 'qa2' | 'reading';

export interface CorpusLine {
  readonly kind: CorpusKind;
  readonly text: string;
  readonly prompt?: string;
  readonly answer?: string;
}

function qa(kind: CorpusKind, prompt: string, answer: string): CorpusLine {
  return { kind, text: `${prompt} ${answer}`, prompt, answer };
}

/**
 * Reading-comprehension examples: each reading person gets a fact with one to three links and one question (80% a
 * multi-hop path, 20% the fact's own relation). Link combinations in `forbidden` (those of edit instances)
 * are redrawn so no example gives away an instance.
 */
export function readingExamples(
  rng: Rng,
  kb: Kb,
  people: readonly string[],
  forbidden: ReadonlySet<string>,
): CorpusLine[] {
  const out: CorpusLine[] = [];
  for (const person of people) {
    let links: Array<{ relation: string; object: string }>;
    do {
      const rels = PERSON_RELATIONS.filter(() => rng.next() < 2 / 3);
      const chosen = rels.length === 0 ? [rng.pick(PERSON_RELATIONS)] : rels;
      links = chosen.map((r) => ({
        relation: r,
        object: rng.pick(kb.entities.get(PERSON_RELATION_RANGE[r]) ?? []),
      }));
    } while (
      forbidden.has(
        links
          .map((l) => `${l.relation}=${l.object}`)
          .sort()
          .join('|'),
      )
    );
    const fact = links.map((l) => statement(person, l.relation, l.object, rng.int(2))).join(' ');
    const link = rng.pick(links);
    if (rng.next() < 0.2) {
      out.push(qa('reading', `${fact} ${fill(relation(link.relation).question, person)}`, link.object));
      continue;
    }
    const path = rng.pick(PATHS.filter((p) => p.path[0] === link.relation));
    const answer = follow(kb, link.object, path.path.slice(1)) as string;
    out.push(qa('reading', `${fact} ${fill(path.question, person)}`, answer));
  }
  return out;
}

/** Fact statements (every surface form), qa1 for every fact, qa2 for every known person and path. */
export function knowledgeLines(kb: Kb): CorpusLine[] {
  const out: CorpusLine[] = [];
  const facts = allFacts(kb);
  for (const f of facts) {
    const forms = relation(f.relation).statements.length;
    for (let v = 0; v < forms; v++)
      out.push({ kind: 'fact', text: statement(f.subject, f.relation, f.object, v) });
  }
  for (const f of facts) out.push(qa('qa1', fill(relation(f.relation).question, f.subject), f.object));
  for (const person of kb.entities.get('person') ?? []) {
    for (const p of PATHS)
      out.push(qa('qa2', fill(p.question, person), follow(kb, person, p.path) as string));
  }
  return out;
}
