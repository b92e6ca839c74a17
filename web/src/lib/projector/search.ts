// Label search: plain case-insensitive substring, or a regex through RE2JS (linear time, so a typed
// pattern cannot hang the tab). An invalid regex is reported, not thrown.
import { RE2JS } from 're2js';

export interface SearchResult {
  matches: Uint8Array;
  count: number;
  error: string | null;
}

export function searchLabels(labels: readonly string[], query: string, regex: boolean): SearchResult {
  const matches = new Uint8Array(labels.length);
  if (query === '') return { matches, count: 0, error: null };
  let test: (s: string) => boolean;
  if (regex) {
    try {
      const re = RE2JS.compile(query, RE2JS.CASE_INSENSITIVE);
      test = (s) => re.matcher(s).find();
    } catch (e) {
      return { matches, count: 0, error: `invalid regex: ${e instanceof Error ? e.message : String(e)}` };
    }
  } else {
    const low = query.toLowerCase();
    test = (s) => s.toLowerCase().includes(low);
  }
  let count = 0;
  for (let i = 0; i < labels.length; i++) if (test(labels[i])) (matches[i] = 1), count++;
  return { matches, count, error: null };
}
