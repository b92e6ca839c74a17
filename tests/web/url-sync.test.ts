import { afterEach, describe, expect, it, vi } from 'vitest';
import { LONG_URL, LONG_URL_DELAY_MS, UiState } from '../../web/src/lib/state/ui.svelte.ts';

describe('address bar sync', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  function stub() {
    const loc = new URL('http://127.0.0.1:6006/');
    const written: string[] = [];
    vi.stubGlobal('location', loc);
    vi.stubGlobal('history', {
      state: null,
      replaceState: (_s: unknown, _t: string, url: string) => {
        written.push(url);
        const u = new URL(url, loc);
        loc.search = u.search;
      },
    });
    return written;
  }

  it('a short address is written at once; a long one (hundreds of runs) once the changes pause', () => {
    vi.useFakeTimers();
    const written = stub();
    const ui = new UiState('');
    ui.smoothing = 0.9;
    ui.syncUrl();
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('smooth');
    const runs = Array.from({ length: 1000 }, (_, i) => `sweep/run_${String(i).padStart(4, '0')}`);
    ui.selected = runs.slice(1);
    ui.syncUrl();
    ui.selected = runs.slice(2);
    ui.syncUrl();
    expect(written).toHaveLength(1);
    vi.advanceTimersByTime(LONG_URL_DELAY_MS);
    expect(written).toHaveLength(2); // the two changes in one write
    expect(written[1].length).toBeGreaterThan(LONG_URL);
    expect(new UiState(location.search).selected).toEqual(runs.slice(2));
    // A short address written meanwhile cancels a pending long one (it is newer).
    ui.selected = runs.slice(3);
    ui.syncUrl();
    ui.selected = null;
    ui.syncUrl();
    vi.advanceTimersByTime(LONG_URL_DELAY_MS);
    expect(written).toHaveLength(3);
    expect(new UiState(location.search).selected).toBeNull();
  });
});
