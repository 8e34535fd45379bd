// Words about KB names for hovers and completion details: a relation's signature, an entity's type,
// aliases and known facts, a type's members. Plain markdown strings; no LSP types.
import { pushAll } from '../../common/arrays';
import type { Kb, KbEntity, KbRelation, KbType } from '../../dataset/kb';

export function relationSignature(r: KbRelation): string {
  return `${r.domain || '?'} → ${r.range || '?'} (${r.cardinality})`;
}

export function relationHover(r: KbRelation): string {
  const lines = [`**relation** \`${r.name}\`: ${relationSignature(r)}`];
  if (r.description) lines.push('', r.description);
  if (r.statement) lines.push('', `statement: ${r.statement}`);
  if (r.question) lines.push('', `question: ${r.question}`);
  return lines.join('\n');
}

export function entityHover(kb: Kb, e: KbEntity): string {
  const lines = [`**entity** \`${e.name}\`: ${e.type || '?'}`];
  if (e.description) lines.push('', e.description);
  if (e.aliases.length > 0) lines.push('', `aliases: ${e.aliases.join(', ')}`);
  const facts = [...e.facts].map(([rel, f]) => `- ${rel}: ${f.objects.join(', ')}`);
  if (facts.length > 0) pushAll(lines, ['', 'known facts:', ...facts.slice(0, 20)]);
  const incoming: string[] = [];
  for (const rel of kb.relations.keys())
    for (const s of kb.subjects(rel, e.name)) incoming.push(`- ${s} ${rel} ${e.name}`);
  if (incoming.length > 0) pushAll(lines, ['', 'facts about it:', ...incoming.slice(0, 10)]);
  return lines.join('\n');
}

export function typeHover(kb: Kb, t: KbType): string {
  let members = 0;
  for (const e of kb.entities.values()) if (e.type === t.name) members++;
  const rels = [...kb.relations.values()].filter((r) => r.domain === t.name).map((r) => r.name);
  const lines = [
    `**type** \`${t.name}\`${t.literal ? ' (literal: plain strings)' : `: ${members} entities`}`,
  ];
  if (t.description) lines.push('', t.description);
  if (rels.length > 0) lines.push('', `relations from it: ${rels.join(', ')}`);
  return lines.join('\n');
}
