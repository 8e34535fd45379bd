// The Test Explorer's tree for one dataset file: an item per instance and a child per propagation or
// locality question, with ids that stay the same while the instance keeps its id, and the ranges the
// controller puts on them. Plain data from extension/views/question-locations.ts; must not import `vscode`.
import type { DiffGroup } from '../../webviews/diff/messages';
import type { LocatedInstance } from './question-locations';

export interface TestNode {
  readonly id: string;
  readonly label: string;
  readonly line: number;
  readonly character: number;
  readonly children: readonly TestLeaf[];
}

export interface TestLeaf {
  readonly id: string;
  readonly label: string;
  readonly group: DiffGroup;
  readonly line: number;
  readonly character: number;
}

/** An instance's id within its file: its `id`, else its line (instances without one move with lines). */
export function instanceKey(inst: LocatedInstance): string {
  return inst.id !== undefined ? `id:${inst.id}` : `line:${inst.line + 1}`;
}

export function testTree(file: string, instances: readonly LocatedInstance[]): TestNode[] {
  const seen = new Set<string>();
  const out: TestNode[] = [];
  for (const inst of instances) {
    let key = instanceKey(inst);
    // Duplicate ids are a checker error; the tree still lists both.
    if (seen.has(key)) key = `${key}@${inst.line + 1}`;
    seen.add(key);
    const id = `${file}#${key}`;
    out.push({
      id,
      label: inst.id ?? `line ${inst.line + 1}`,
      line: inst.line,
      character: 0,
      children: inst.questions.map((q) => ({
        id: `${id}/${q.list}[${q.index}]`,
        label: `${q.group}: ${q.question || `(${q.list}[${q.index}] has no question)`}`,
        group: q.group,
        line: q.line,
        character: q.character,
      })),
    });
  }
  return out;
}

/** Which child of an instance a reported question belongs to: its list and index. */
export function leafId(nodeId: string, list: 'propagation' | 'locality', index: number): string {
  return `${nodeId}/${list}[${index}]`;
}
