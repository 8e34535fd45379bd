// Diagnostic: propmend/duplicate-id
// An instance id used twice across the files of one dataset folder; the later use is reported, naming the first.
import { at, type DatasetFile, type DatasetInstance, type Rule } from './rule';

export function where(file: DatasetFile, item: DatasetInstance): string {
  return `${file.name}:${item.line + 1}`;
}

export const duplicateId: Rule = {
  code: 'duplicate-id',
  severity: 'error',
  dataset(ctx, emit) {
    const first = new Map<string, string>();
    for (const file of ctx.files) {
      for (const item of file.instances) {
        const id = item.instance.id;
        if (id === undefined) continue;
        const prev = first.get(id);
        if (prev)
          emit(
            file,
            item,
            at('id'),
            `duplicate id "${id}": already used at ${prev}; ids must be unique across the dataset`,
          );
        else first.set(id, where(file, item));
      }
    }
  },
};
