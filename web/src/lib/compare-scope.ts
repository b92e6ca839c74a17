// Which runs the COMPARE table puts side by side: one sweep, or the selected runs of one dataset, never
// a mix of datasets (a spiral loss next to an MNIST loss ranks nothing).

export interface ScopeRun {
  name: string;
  group: string;
  hparams?: Record<string, string | number | boolean>;
}

export interface CompareScope {
  /** Stable key for a <select>: "sweep:<group>\u0000<dataset>" or "selected:<dataset>". */
  key: string;
  label: string;
  runs: string[];
}

const UNKNOWN = '(dataset not logged)';

export function datasetOf(r: ScopeRun): string {
  const d = r.hparams?.dataset;
  return d === undefined ? UNKNOWN : String(d);
}

function byDataset(runs: ScopeRun[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of runs) {
    const d = datasetOf(r);
    const list = m.get(d);
    if (list) list.push(r.name);
    else m.set(d, [r.name]);
  }
  return m;
}

/**
 * The scopes to offer: the selected runs split by dataset (largest first), then each sweep (a group
 * other than the top level), split by dataset when it mixes several.
 */
export function compareScopes(all: ScopeRun[], selected: readonly string[]): CompareScope[] {
  const sel = new Set(selected);
  const out: CompareScope[] = [];
  const selectedByDs = [...byDataset(all.filter((r) => sel.has(r.name)))].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  for (const [ds, runs] of selectedByDs) out.push({ key: `selected:${ds}`, label: `selected runs · ${ds} (${runs.length})`, runs });
  const groups = new Map<string, ScopeRun[]>();
  for (const r of all) {
    if (!r.group || r.group === '.') continue;
    const list = groups.get(r.group);
    if (list) list.push(r);
    else groups.set(r.group, [r]);
  }
  for (const [g, runs] of groups) {
    for (const [ds, names] of byDataset(runs)) out.push({ key: `sweep:${g}\u0000${ds}`, label: `sweep ${g} · ${ds} (${names.length})`, runs: names });
  }
  return out;
}

/** The scope to show: the chosen one while it still exists, else the first (selected runs of the most common dataset). */
export function pickScope(scopes: CompareScope[], chosen: string): CompareScope | null {
  return scopes.find((s) => s.key === chosen) ?? scopes[0] ?? null;
}
