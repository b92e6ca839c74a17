// Compiles a client's tag regex into a cached predicate. The regex runs on the server's only thread, so
// it runs on RE2JS (RE2's automaton: time linear in the tag's length, no backtracking), never on the
// native backtracking RegExp, where `(.|.)*!$` alone froze the server for seconds. RE2 has no
// backreferences or lookaround; such patterns are refused with a reason instead of run unsafely.
import { RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';

export type TagFilter = (tag: string) => boolean;

const MAX_PATTERN = 512;
const CACHE_LIMIT = 10_000;
/**
 * Largest compiled program (RE2 instructions). Matching costs O(program size x tag length): counted
 * repeats expand (`.{1000}` is ~1000 instructions, ~10 ms per 1 KB tag), while hand-written tag
 * filters like `^train/(loss|acc)` are a few dozen. 200 keeps a worst-case tag under a few ms.
 */
export const MAX_PROGRAM = 200;

/** Why RE2 refused the pattern, with a hint when the cause is a feature RE2 lacks on purpose. */
function syntaxReason(pattern: string, e: unknown): string {
  const msg = e instanceof RE2JSSyntaxException ? `${e.getDescription()}: \`${e.getPattern() ?? ''}\`` : (e as Error).message;
  if (/\\[1-9]|\\k</.test(pattern)) return `backreferences are not supported (${msg})`;
  if (/\(\?<?[=!]/.test(pattern)) return `lookahead/lookbehind assertions are not supported (${msg})`;
  return msg;
}

/**
 * Reason the pattern is refused (too long, not valid RE2 syntax, or too big once compiled), or null.
 * Patterns use RE2 syntax: like JavaScript's, minus backreferences and lookaround.
 */
export function unsafePatternReason(pattern: string): string | null {
  const r = compileRe2(pattern);
  return r instanceof Error ? r.message : null;
}

/**
 * Rough size of the compiled program, from the text alone: compiling expands counted repeats
 * (`\\pL{1000}` x 56 fits in 512 characters and takes most of a second to compile), so patterns that
 * are clearly too big are refused before RE2 does that work. Every character counts one, a group its
 * content plus two, `{n}` / `{n,m}` multiplies the atom before it. Stops counting past `stop`.
 */
export function estimateProgramSize(pattern: string, stop = Infinity): number {
  const open: number[] = [0]; // running size of each open group, outermost first
  let last = 0; // size of the atom a following quantifier applies to
  for (let i = 0; i < pattern.length && open[0] <= stop; i++) {
    const c = pattern[i];
    let add = 1;
    if (c === '\\') {
      i++;
      last = 1;
    } else if (c === '(') {
      open.push(2);
      continue;
    } else if (c === ')' && open.length > 1) {
      last = open.pop()!;
      add = last;
    } else if (c === '{') {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(pattern.slice(i, i + 12));
      if (m) {
        const n = Math.max(Number(m[1]), m[2] === undefined ? 0 : m[3] === '' ? Number(m[1]) + 1 : Number(m[3]));
        add = last * Math.max(n - 1, 0);
        last *= n;
        i += m[0].length - 1;
      } else last = 1;
    } else last = c === '|' ? 0 : 1;
    open[open.length - 1] += add;
  }
  while (open.length > 1) open[open.length - 2] += open.pop()!; // unclosed groups: RE2 will refuse them
  return open[0];
}

function compileRe2(pattern: string): RE2JS | Error {
  if (pattern.length > MAX_PATTERN) return new Error(`pattern longer than ${MAX_PATTERN} characters`);
  const estimate = estimateProgramSize(pattern, 2 * MAX_PROGRAM);
  if (estimate > 2 * MAX_PROGRAM) {
    return new Error(`too complex (over ${2 * MAX_PROGRAM} instructions once compiled, limit ${MAX_PROGRAM}; large counted repeats like {100} expand)`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (e) {
    if (e instanceof RE2JSException) return new Error(`not a valid regular expression: ${syntaxReason(pattern, e)}`);
    throw e;
  }
  const size = re.programSize();
  if (size > MAX_PROGRAM) {
    return new Error(`too complex (${size} instructions once compiled, limit ${MAX_PROGRAM}; large counted repeats like {100} expand)`);
  }
  return re;
}

/**
 * A predicate for the pattern (case-insensitive, like TensorBoard's tag filter), or an Error saying why
 * the pattern is refused. Empty/absent pattern matches everything.
 */
export function compileTagFilter(pattern: string | undefined): TagFilter | Error {
  if (pattern === undefined || pattern === '') return () => true;
  const re = compileRe2(pattern);
  if (re instanceof Error) return new Error(`tagPattern ${JSON.stringify(pattern.slice(0, 80))} refused: ${re.message}`);
  const cache = new Map<string, boolean>();
  return (tag: string) => {
    let hit = cache.get(tag);
    if (hit === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      hit = re.test(tag);
      cache.set(tag, hit);
    }
    return hit;
  };
}
