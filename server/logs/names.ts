// Bounds on names read from logs. A tag is copied into every series, /tags response, delta and
// download, so a 5 MB tag in one record became a 10 MB /tags response; every decoding path (watcher,
// replay, export) goes through EventDecoder, which caps tags here once.

/**
 * Longest tag kept, in UTF-16 code units. 1024: the HTTP API already refuses longer `tag` parameters
 * (server/http/params.ts), so a longer tag could never be fetched anyway; real tags are a few dozen
 * characters (`train/layer_3/kernel/histogram`); and it bounds the per-tag cost of a client's tag
 * regex (linear in the tag's length) and of every message that carries the tag.
 */
export const MAX_TAG_CHARS = 1024;

/** FNV-1a over UTF-16 code units, as 8 hex digits: tells apart tags that share their first 1 KB. */
function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The tag itself when short enough; otherwise its head, "…#" and a hash of the whole tag, exactly
 * MAX_TAG_CHARS long at most (deterministic: every path maps the same long tag to the same name, and two long
 * tags with a common head stay two series).
 */
export function capTag(tag: string): string {
  if (tag.length <= MAX_TAG_CHARS) return tag;
  let head = tag.slice(0, MAX_TAG_CHARS - 10);
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1); // don't split a surrogate pair
  return `${head}…#${hash8(tag)}`;
}

/**
 * Longest run name (its directory path under the logdir) that is served. Unlike a tag it cannot be
 * truncated: replay, export and downloads find a run's files from its name. 512 is what the HTTP API
 * accepts for `run` (server/http/params.ts); deeper or longer paths are skipped with a warning.
 */
export const MAX_RUN_CHARS = 512;
