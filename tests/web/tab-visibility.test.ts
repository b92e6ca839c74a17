import { describe, expect, it } from 'vitest';
import { shownTab, tabLabel, TAB_RULES, visibleTabs, type RunFacts } from '../../web/src/lib/tab-visibility.ts';
import { ALL_TABS, PLUGIN_TABS, TABS } from '../../web/src/lib/url-state.ts';

const run = (name: string, ...plugins: string[]): RunFacts => ({ name, plugins: new Set(plugins) });

describe('tab visibility', () => {
  it('shows the core tabs always and a plugin tab only when a selected run has its data', () => {
    expect(visibleTabs([])).toEqual(TAB_RULES.filter((r) => !r.when).map((r) => r.tab));
    expect(visibleTabs([])).toEqual(expect.arrayContaining([...TABS]));
    const v = visibleTabs([run('a', 'text'), run('b', 'pr_curves', 'mystery')]);
    expect(v).toContain('text');
    expect(v).toContain('pr_curves');
    expect(v).not.toContain('audio');
    expect(v).not.toContain('custom_scalars');
    // TensorBoard's order: custom scalars after scalars, audio after images, text and PR curves late.
    expect(visibleTabs([run('a', 'audio', 'custom_scalars', 'text', 'pr_curves')]).slice(0, 4)).toEqual(['scalars', 'custom_scalars', 'images', 'audio']);
  });

  it('lets a tab register with one rule over the run facts', () => {
    const rules = [...TAB_RULES, { tab: 'audio' as const, when: (r: RunFacts) => r.info?.hparams !== undefined }];
    const withHp: RunFacts = { name: 'h', plugins: new Set(), info: { name: 'h', source: 'disk', group: '', hparams: { lr: 1 } } };
    expect(visibleTabs([withHp], rules)).toContain('audio');
    expect(visibleTabs([run('x')], rules)).not.toContain('audio');
  });

  it('falls back to scalars when the current tab is hidden, and labels tabs', () => {
    expect(shownTab('text', ['scalars', 'text'])).toBe('text');
    expect(shownTab('text', ['scalars', 'images'])).toBe('scalars');
    expect(tabLabel('pr_curves')).toBe('PR CURVES');
    for (const t of ALL_TABS) expect(TAB_RULES.some((r) => r.tab === t)).toBe(true);
    for (const t of PLUGIN_TABS) expect(TAB_RULES.find((r) => r.tab === t)?.when).toBeTypeOf('function');
  });
});
