// Tag-filter benchmark: what a client's tag pattern can cost the server's thread, now that patterns run
// on RE2JS (linear time) with a compiled-size limit. Prints compile and per-tag match times for the
// ReDoS pattern that froze the native-RegExp server, for the costliest patterns still accepted, and the
// time to refuse a pattern that expands past the limit.
//   node --import tsx bench/tag-filter.ts
import { compileTagFilter, MAX_PROGRAM } from '../server/live/tag-filter.ts';
import { MAX_TAG_CHARS } from '../server/logs/names.ts';

const TAGS = 200; // distinct tags (the filter caches per tag, so each is matched once)

function time<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}

function row(label: string, pattern: string, tag: (i: number) => string): void {
  const [f, compileMs] = time(() => compileTagFilter(pattern));
  if (f instanceof Error) {
    console.log(`${label.padEnd(40)} refused in ${compileMs.toFixed(2)} ms: ${f.message.slice(0, 90)}`);
    return;
  }
  const [, ms] = time(() => {
    for (let i = 0; i < TAGS; i++) f(tag(i));
  });
  console.log(`${label.padEnd(40)} compile ${compileMs.toFixed(2).padStart(7)} ms   match ${(ms / TAGS).toFixed(3).padStart(7)} ms/tag`);
}

const longTag = (i: number) => `${i}`.padEnd(MAX_TAG_CHARS, 'a');
const shortTag = (i: number) => `train/layer_${i}/kernel/histogram`;
for (let i = 0; i < 20; i++) compileTagFilter(`\\pL[a-z]${i}`); // warm up (JIT, Unicode tables)
console.log(`tags of ${MAX_TAG_CHARS} characters (the cap) unless said; compiled-size limit ${MAX_PROGRAM} instructions`);
row('(.|.)*!$  (froze the old server 17.6 s)', '(.|.)*!$', longTag);
row('(a+)+$x', '(a+)+$x', longTag);
row('^train/(loss|acc)  short tags', '^train/(loss|acc)', shortTag);
row('\\pL{190}  (near the limit)', '\\pL{190}', longTag);
row('.{190}', '.{190}', longTag);
row('([^/]{10}/){15}', '([^/]{10}/){15}', longTag);
row('\\pL{1000} x 56  (expands too far)', '\\pL{1000}'.repeat(56), longTag);
row('.{150}.{150}  (over the limit)', '.{150}.{150}', longTag);
