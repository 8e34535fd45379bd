// Diagnostic: propmend/missing-file
// An edit spec's model folder, hypernetwork checkpoint or KB file that does not exist (model and hypernetwork
// are warnings: they may be produced later by training).
import { at, type Rule } from './rule';

const FIELDS = [
  { field: 'model', severity: 'warning', what: 'model folder' },
  { field: 'hypernetwork', severity: 'warning', what: 'hypernetwork checkpoint' },
  { field: 'kb', severity: 'error', what: 'KB file' },
] as const;

export const missingFile: Rule = {
  code: 'missing-file',
  severity: 'warning',
  edit(ctx, emit) {
    for (const { field, severity, what } of FIELDS) {
      const rel = ctx.value[field];
      if (typeof rel !== 'string' || rel === '') continue;
      const abs = ctx.resolve(rel);
      if (ctx.exists(abs)) continue;
      emit(at(field), `${what} "${rel}" does not exist (resolved to ${abs})`, { severity });
    }
  },
};
