// What an empty tab says, decided by plain functions: still loading, an invalid tag regex, no tag
// matching the filter, or really no data yet. (Components only draw the result.)

export interface LoadingCount {
  loaded: number;
  total: number;
}

/**
 * Over the selected runs that had a backlog at subscribe time: how many have arrived. Null when every
 * one has (or none had one), so a tab can say "no data" only when that is true.
 */
export function loadingCount(selected: readonly string[], loading: ReadonlySet<string>, backlog: ReadonlySet<string>): LoadingCount | null {
  let total = 0;
  let pending = 0;
  for (const run of selected) {
    if (!backlog.has(run)) continue;
    total++;
    if (loading.has(run)) pending++;
  }
  return pending === 0 ? null : { loaded: total - pending, total };
}

/** The browser's complaint about a regex source, or null when it compiles ('' is fine: no filter). */
export function regexError(src: string): string | null {
  if (!src) return null;
  try {
    new RegExp(src, 'i');
    return null;
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
  }
}

export interface EmptyMessage {
  title: string;
  hint: string;
}

/** Message for a tab with no tag to show for the selected runs. `what`: "scalar", "histogram", ... */
export function noTagsMessage(what: string, tagFilter: string, loading: LoadingCount | null): EmptyMessage {
  if (loading) {
    return { title: `Loading ${loading.loaded} of ${loading.total} runs…`, hint: `${what[0].toUpperCase()}${what.slice(1)} data appears as each run arrives.` };
  }
  const bad = regexError(tagFilter);
  if (bad !== null) {
    return { title: 'Invalid regex in the tag filter', hint: `/${tagFilter}/: ${bad}. Fix the pattern (it is matched as plain text meanwhile).` };
  }
  if (tagFilter) return { title: `No ${what} tag matches /${tagFilter}/`, hint: 'Change or clear the tag filter in the sidebar.' };
  return { title: `No ${what} data yet`, hint: 'Points appear here as the selected runs log them.' };
}
