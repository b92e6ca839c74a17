// Stable run colors: a hash of the run name picks a palette entry, so a run keeps its color across
// reloads, filters and machines (position in the list would change when runs come and go).
export const PALETTE = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b',
  '#e377c2', '#17becf', '#bcbd22', '#3b5bdb', '#f08c00', '#0ca678',
  '#c2255c', '#5f3dc4', '#74b816', '#7f7f7f',
] as const;

/** FNV-1a 32-bit hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function runColor(name: string): string {
  return PALETTE[hashString(name) % PALETTE.length];
}

/** "#rrggbb" + alpha -> "rgba(...)" for faint raw lines and bands. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
