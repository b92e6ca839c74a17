// The read-only view of dashboard state that the tab components draw from. Implemented by the state
// classes in this folder (reactive: reads inside components re-run when data changes).
import type { GraphJson, HistogramTuple, ImageRef, RunInfo } from '../../../../shared/types.ts';

export interface RunView {
  name: string;
  color: string;
  info: RunInfo;
}

export interface DashboardData {
  /** Selected, filter-passing runs in display order, with their stable colors. */
  readonly runs: RunView[];
  /** Selected runs whose data is still arriving (null when none is): empty tabs say so instead of "no data". */
  readonly loading?: { loaded: number; total: number } | null;
  /** Tag filter regex source ('' = all); tabs apply it with tagMatches(). */
  readonly tagFilter: string;
  tagMatches(tag: string): boolean;
  histogramTags(run: string): string[];
  histograms(run: string, tag: string): HistogramTuple[];
  imageTags(run: string): string[];
  images(run: string, tag: string): ImageRef[];
  imageUrl(run: string, tag: string, index: number): string;
  /** undefined = not loaded yet (call loadGraphs). */
  graphs(run: string): GraphJson[] | undefined;
  loadGraphs(run: string): void;
}
