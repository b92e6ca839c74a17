// Which series kinds the dashboard subscribes to: histograms are the bulk of a live stream (a bucket list
// per point), so they are asked for only while a tab that draws them is open. Leaving such a tab keeps
// what was received; coming back resubscribes with `have`, and the server sends exactly what was missed.
import type { SeriesKind } from '../../../shared/protocol.ts';
import type { TabName } from './url-state.ts';

const HISTOGRAM_TABS: ReadonlySet<TabName> = new Set<TabName>(['histograms', 'distributions']);

export function kindsForTab(tab: TabName): SeriesKind[] {
  return HISTOGRAM_TABS.has(tab) ? ['scalars', 'histograms', 'images'] : ['scalars', 'images'];
}
