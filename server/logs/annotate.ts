// Each tag's display name/description (from its first metadata) goes on its first record, so the store
// can keep it; the main thread's tailing and the load workers do the same.
import type { LogRecord } from './records.ts';

export function annotate(info: ReadonlyMap<string, { displayName: string; description: string }>, annotated: Set<string>, records: LogRecord[]): void {
  if (info.size === annotated.size) return;
  for (const rec of records) {
    if (rec.kind !== 'scalar' && rec.kind !== 'histogram' && rec.kind !== 'image') continue;
    if (annotated.has(rec.tag)) continue;
    const ti = info.get(rec.tag);
    if (!ti) continue;
    annotated.add(rec.tag);
    if (rec.displayName === undefined && ti.displayName) rec.displayName = ti.displayName;
    if (rec.description === undefined && ti.description) rec.description = ti.description;
  }
}
