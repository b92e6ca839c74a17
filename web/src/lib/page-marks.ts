// Named moments of the page's start (performance.mark, once each): the first-chart benchmark
// (bench/first-chart.ts) reads them to show where the time to the first chart goes.

/** Marks `name` the first time it is reached; later calls are free. */
const seen = new Set<string>();
export function markOnce(name: string, perf: Pick<Performance, 'mark'> | undefined = typeof performance === 'undefined' ? undefined : performance): void {
  if (seen.has(name)) return;
  seen.add(name);
  try {
    perf?.mark(`trainscope:${name}`);
  } catch {
    // marks are a diagnostic: never let them break the page
  }
}
