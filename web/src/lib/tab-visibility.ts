// Which tabs the header shows: a tab whose rule has `when` shows only while some selected run has that
// kind of data (as TensorBoard hides plugins without data); the others always show. Pure.
// To register a tab, add one line to TAB_RULES (its name must be in url-state.ts's TABS / PLUGIN_TABS).
import type { RunInfo } from '../../../shared/types.ts';
import { ALL_TABS, type TabName } from './url-state.ts';

/** What is known about one run: its info (hello / deltas) and the plugins it has data of (DeltaBatch.plugins). */
export interface RunFacts {
  name: string;
  info?: RunInfo;
  plugins: ReadonlySet<string>;
}

export interface TabRule {
  tab: TabName;
  /** Shown only when some selected run passes; absent = always shown. */
  when?: (run: RunFacts) => boolean;
}

const hasPlugin = (p: string) => (r: RunFacts) => r.plugins.has(p);

/** Header order. */
export const TAB_RULES: readonly TabRule[] = [
  { tab: 'scalars' },
  { tab: 'custom_scalars', when: hasPlugin('custom_scalars') },
  { tab: 'images' },
  { tab: 'audio', when: hasPlugin('audio') },
  { tab: 'graphs' },
  { tab: 'distributions' },
  { tab: 'histograms' },
  { tab: 'text', when: hasPlugin('text') },
  { tab: 'pr_curves', when: hasPlugin('pr_curves') },
  { tab: 'compare' },
  { tab: 'projector', when: hasPlugin('projector') },
  { tab: 'hparams', when: (r) => r.info?.hparams !== undefined || r.plugins.has('hparams') },
];

// A tab added to url-state.ts without a rule here still shows (always, after the others) rather than vanish.
const ALL_RULES: readonly TabRule[] = [...TAB_RULES, ...ALL_TABS.filter((t) => !TAB_RULES.some((r) => r.tab === t)).map((tab) => ({ tab }))];

/** Tabs to show, in TAB_RULES order, given the selected runs. */
export function visibleTabs(selected: readonly RunFacts[], rules: readonly TabRule[] = ALL_RULES): TabName[] {
  return rules.filter((r) => !r.when || selected.some(r.when)).map((r) => r.tab);
}

/** The tab to show: the current one while it is visible, else scalars. */
export function shownTab(current: TabName, visible: readonly TabName[]): TabName {
  return visible.includes(current) ? current : 'scalars';
}

/** Header label of a tab. */
export function tabLabel(tab: TabName): string {
  return tab.replace(/_/g, ' ').toUpperCase();
}
