// Locates the shared corpus of real event files and parses its README table (file -> record count),
// so tests compare against what the corpus documents, not against numbers copied into the tests.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const projectRoot = resolve(import.meta.dirname, '../..');
export const corpusRoot = resolve(projectRoot, '../shared/corpus/tfevents');

export function corpusFiles(): string[] {
  return (readdirSync(corpusRoot, { recursive: true }) as string[])
    .map((f) => join(corpusRoot, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** Absolute local path -> record count listed in ../shared/corpus/README.md. */
export function readmeCounts(): Map<string, number> {
  const text = readFileSync(resolve(corpusRoot, '../README.md'), 'utf8');
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | # | repo | `path` | commit | bytes | records | writer |
    if (cells.length < 8 || !/^\d+$/.test(cells[1])) continue;
    const repo = cells[2].replace('/', '__');
    const path = cells[3].replace(/`/g, '').replace(/\//g, '/');
    out.set(join(corpusRoot, repo, path), Number(cells[6]));
  }
  return out;
}

/** The corpus file whose path contains every fragment (exactly one must match). */
export function corpusFile(...fragments: string[]): string {
  const hits = corpusFiles().filter((f) => fragments.every((x) => f.includes(x)));
  if (hits.length !== 1) throw new Error(`expected one corpus file matching ${fragments.join(' + ')}, got ${hits.length}`);
  return hits[0];
}
