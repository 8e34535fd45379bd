// Diagnostic: propmend/alias-collision
// A name or alias that names two KB entities (case-insensitively), which makes answers and references ambiguous.
import { normalize } from '../../dataset/match';
import { at, atKey, type Rule } from './rule';

export const aliasCollision: Rule = {
  code: 'alias-collision',
  severity: 'warning',
  needsKb: true,
  kb(ctx, emit) {
    const kb = ctx.kb;
    for (const e of kb.entities.values()) {
      if (e.decl.path !== ctx.path) continue;
      const forms: Array<[string, ReturnType<typeof at>]> = [[e.name, atKey('entities', e.name)]];
      e.aliases.forEach((a, i) => {
        forms.push([a, at('entities', e.name, 'aliases', i)]);
      });
      for (const [form, where] of forms) {
        const others = kb.resolveAll(form).filter((o) => o !== e);
        if (others.length === 0) continue;
        // Report each pair once: on the entity declared later.
        const earlier = others.filter((o) => declaredBefore(o.decl, e.decl));
        if (earlier.length === 0) continue;
        const names = earlier.map((o) => `"${o.name}"`).join(', ');
        emit(where, `"${form}" also names ${names}; give each entity distinct names and aliases`);
      }
      const own = new Set<string>();
      for (const [form, where] of forms) {
        const n = normalize(form);
        if (own.has(n)) emit(where, `"${form}" is listed twice for "${e.name}"`);
        own.add(n);
      }
    }
  },
};

function declaredBefore(
  a: { path: string; range: { start: { line: number; character: number } } },
  b: typeof a,
): boolean {
  if (a.path !== b.path) return a.path < b.path;
  return (
    a.range.start.line < b.range.start.line ||
    (a.range.start.line === b.range.start.line && a.range.start.character < b.range.start.character)
  );
}
