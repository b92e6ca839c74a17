// Which (tag, run) cards a per-run tab shows: tags that pass the filter, grouped by their first name
// segment like TensorBoard ("layer1/weights" -> group "layer1"), each with the runs that have it.
export interface TagCards<R> {
  group: string;
  tags: { tag: string; runs: R[] }[];
}

export function tagGroup(tag: string): string {
  const i = tag.indexOf('/');
  return i < 0 ? tag : tag.slice(0, i);
}

export function collectTagCards<R extends { name: string }>(
  runs: readonly R[],
  tagsOf: (run: string) => readonly string[],
  matches: (tag: string) => boolean,
): TagCards<R>[] {
  const byTag = new Map<string, R[]>();
  for (const run of runs) {
    for (const tag of tagsOf(run.name)) {
      if (!matches(tag)) continue;
      let list = byTag.get(tag);
      if (!list) byTag.set(tag, (list = []));
      list.push(run);
    }
  }
  const groups = new Map<string, TagCards<R>>();
  for (const tag of [...byTag.keys()].sort()) {
    const g = tagGroup(tag);
    let entry = groups.get(g);
    if (!entry) groups.set(g, (entry = { group: g, tags: [] }));
    entry.tags.push({ tag, runs: byTag.get(tag)! });
  }
  return [...groups.values()];
}
