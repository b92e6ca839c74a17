import { describe, expect, it } from 'vitest';
import { EventDecoder } from '../../server/logs/event-codec.ts';
import type { EventFileTailer } from '../../server/logs/event-file-reader.ts';
import { KnownRuns } from '../../server/logs/known-runs.ts';
import type { FoundFile, ScanResult } from '../../server/logs/logdir-scan.ts';

/** A tailer stand-in that only records whether it was marked complete. */
interface FakeTailer {
  real: string;
  complete: boolean;
  markComplete(): void;
}

function setup() {
  const added: string[] = [];
  const removed: string[] = [];
  const tailers: FakeTailer[] = [];
  const known = new KnownRuns({
    newDecoder: () => new EventDecoder(),
    newTailer: (real) => {
      const t: FakeTailer = { real, complete: false, markComplete: () => void (t.complete = true) };
      tailers.push(t);
      return t as unknown as EventFileTailer;
    },
    onRun: (run) => void added.push(run),
    onRunRemoved: (run) => void removed.push(run),
  });
  return { known, added, removed, tailers };
}

const file = (real: string, found = real): FoundFile => ({ real, found, name: real.slice(real.lastIndexOf('/') + 1) });
function scan(runs: [string, FoundFile[]][], failed: string[] = [], onlyIgnored: string[] = []): ScanResult {
  return { runs: new Map(runs), failed, onlyIgnored: new Set(onlyIgnored) };
}

describe('KnownRuns', () => {
  it('adds runs once and keeps the reading state of files already known', () => {
    const { known, added, tailers } = setup();
    known.merge(scan([['a', [file('/l/a/ev.1')]]]));
    const first = known.states.get('a')!.files.get('/l/a/ev.1')!;
    known.merge(scan([['a', [file('/l/a/ev.1'), file('/l/a/ev.2')]]]));
    expect(added).toEqual(['a']);
    expect(known.states.get('a')!.files.get('/l/a/ev.1')).toBe(first);
    expect(tailers.map((t) => t.real)).toEqual(['/l/a/ev.1', '/l/a/ev.2']);
    // Every file but the newest is complete.
    expect(tailers.map((t) => t.complete)).toEqual([true, false]);
  });

  it('removes vanished runs, but not those under a folder that failed to list, and quietly those only ignored', () => {
    const { known, removed } = setup();
    known.merge(scan([['a', [file('/l/a/ev')]], ['b/c', [file('/l/b/c/ev')]], ['d', [file('/l/d/ev')]], ['e', [file('/l/e/ev')]]]));
    known.merge(scan([['a', [file('/l/a/ev')]]], ['b'], ['e']));
    expect([...known.states.keys()]).toEqual(['a', 'b/c']);
    expect(removed).toEqual(['d']);
    known.merge(scan([], ['.']));
    expect([...known.states.keys()]).toEqual(['a', 'b/c']);
  });

  it('indexes files by real and found path, and finds only files still known', () => {
    const { known } = setup();
    known.merge(scan([['a', [file('/real/a/ev', '/l/a/ev')]], ['b', [file('/l/b/ev')]]]));
    expect(known.reindex()).toEqual(new Set(['/real/a', '/l/b']));
    expect(known.realPathOf('/l/a/ev')).toBe('/real/a/ev');
    expect(known.realPathOf('/real/a/ev')).toBe('/real/a/ev');
    expect(known.realPathOf('/l/x/ev')).toBeUndefined();
    expect(new Set(known.realPathsIn('/real/a'))).toEqual(new Set(['/real/a/ev']));
    expect(known.filesAt(['/l/b/ev', '/nowhere']).map(([rs, f]) => [rs.name, f.real])).toEqual([['b', '/l/b/ev']]);

    known.dropFiles((found) => found === '/l/a/ev');
    expect([...known.states.get('a')!.files.keys()]).toEqual([]);
    expect(known.reindex()).toEqual(new Set(['/l/b']));
    expect(known.realPathOf('/l/a/ev')).toBeUndefined();
  });
});
