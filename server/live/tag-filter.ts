// Compiles a client's tag regex into a cached predicate, refusing patterns that can backtrack
// catastrophically (nested quantifiers, backreferences): the regex runs on the server's only thread.

export type TagFilter = (tag: string) => boolean;

const MAX_PATTERN = 512;
const CACHE_LIMIT = 10_000;

/** Reason the pattern is refused, or null when it looks safe. Heuristic, conservative. */
export function unsafePatternReason(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN) return `pattern longer than ${MAX_PATTERN} characters`;
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not allowed';
  // Track, per open group, whether it contains a quantifier; a quantified group that does = nested.
  const stack: boolean[] = [];
  let lastGroupHadQuantifier = false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      lastGroupHadQuantifier = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroupHadQuantifier = false;
    } else if (c === '(') {
      stack.push(false);
      lastGroupHadQuantifier = false;
    } else if (c === ')') {
      lastGroupHadQuantifier = stack.pop() ?? false;
      if (lastGroupHadQuantifier && stack.length > 0) stack[stack.length - 1] = true;
      continue;
    } else if (c === '*' || c === '+' || c === '{') {
      if (lastGroupHadQuantifier) return 'nested quantifiers (like (a+)+) are not allowed';
      if (stack.length > 0) stack[stack.length - 1] = true;
    }
    lastGroupHadQuantifier = false;
  }
  return null;
}

/**
 * A predicate for the pattern (case-insensitive, like TensorBoard's tag filter), or an Error saying why
 * the pattern is refused. Empty/absent pattern matches everything.
 */
export function compileTagFilter(pattern: string | undefined): TagFilter | Error {
  if (pattern === undefined || pattern === '') return () => true;
  const unsafe = unsafePatternReason(pattern);
  if (unsafe) return new Error(`tagPattern refused: ${unsafe}`);
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'i');
  } catch (e) {
    return new Error(`tagPattern is not a valid regular expression: ${(e as Error).message}`);
  }
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
