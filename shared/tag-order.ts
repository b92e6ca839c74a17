// The order SCALARS shows tag groups in (a group is the tag's prefix before the first '/'): epoch-level
// groups (validation, Keras' epoch_*) before per-iteration ones, readable curves first; then the rest
// alphabetically, tags alphabetically within a group. Shared: the server sends a subscriber's backlog in
// this order (backlog-snapshot.ts), so the first cards' points come first.

const FIRST_GROUPS = ['val', 'validation', 'eval', 'test', 'epoch_loss', 'epoch_accuracy', 'train', 'loss', 'accuracy'];

/** A tag's group: its prefix before the first '/' (the whole tag when it has none). */
export function tagGroup(tag: string): string {
  const i = tag.indexOf('/');
  return i < 0 ? tag : tag.slice(0, i);
}

/** Where a group goes: the FIRST_GROUPS in their order, every other group after them. */
export function groupRank(group: string): number {
  const i = FIRST_GROUPS.indexOf(group);
  return i < 0 ? FIRST_GROUPS.length : i;
}

/** Group order: ranked groups first, then by name (locale order, as the page lists them). */
export function compareGroups(a: string, b: string): number {
  return groupRank(a) - groupRank(b) || a.localeCompare(b);
}

/** Tag order as SCALARS draws the cards (pinned cards aside): by group, then by tag. */
export function compareTags(a: string, b: string): number {
  return compareGroups(tagGroup(a), tagGroup(b)) || (a < b ? -1 : a > b ? 1 : 0);
}
