// Discovery of a logdir's runs: every directory (any depth) holding a file whose name contains "tfevents",
// named by its path relative to the logdir ("." for the logdir itself). Symlinks are followed only while
// they stay inside the logdir. One pass; the watcher (logdir.ts) decides when to run it.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_RUN_CHARS } from './names.ts';

export interface FoundFile {
  /** Real path (what is read). */
  real: string;
  /** Path as found under the logdir (what ignoreFile may name). */
  found: string;
  name: string;
}

export interface ScanResult {
  /** Run -> its event files, in file-name order. */
  runs: Map<string, FoundFile[]>;
  /** Directories that could not be listed: their runs are not to be taken as gone. */
  failed: string[];
  /** Runs whose every event file is ignored (written by our own trainers). */
  onlyIgnored: Set<string>;
}

export interface ScanContext {
  rootReal: string;
  maxDepth: number;
  isIgnored(found: string, real: string): boolean;
  warn(run: string, message: string): void;
  stopped(): boolean;
}

export function inside(child: string, root: string): boolean {
  return child === root || child.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export async function scanLogdir(logdir: string, ctx: ScanContext): Promise<ScanResult> {
  const out: ScanResult = { runs: new Map(), failed: [], onlyIgnored: new Set() };
  await walk(logdir, ctx.rootReal, '.', 0, new Set([ctx.rootReal]), out, ctx);
  for (const files of out.runs.values()) files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

async function walk(
  dir: string,
  dirReal: string,
  rel: string,
  depth: number,
  visited: Set<string>,
  out: ScanResult,
  ctx: ScanContext,
): Promise<void> {
  if (ctx.stopped()) return;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      out.failed.push(rel);
      ctx.warn(rel, `cannot list ${dir} (${code ?? (e as Error).message}); skipped`);
    }
    return;
  }
  const subdirs: [string, string, string][] = [];
  for (const ent of entries) {
    const full = path.join(dir, ent.name);
    const childRel = rel === '.' ? ent.name : `${rel}/${ent.name}`;
    let isDir = ent.isDirectory();
    let isFile = ent.isFile();
    let real = path.join(dirReal, ent.name);
    if (ent.isSymbolicLink()) {
      if (!ent.name.includes('tfevents') && depth >= ctx.maxDepth) continue;
      try {
        real = await realpath(full);
      } catch {
        if (ent.name.includes('tfevents')) ctx.warn(rel, `${full}: broken symlink; skipped`);
        continue;
      }
      if (!inside(real, ctx.rootReal)) {
        ctx.warn(rel, `${full}: symlink leads outside the logdir; not followed`);
        continue;
      }
      try {
        const st = await stat(real);
        isDir = st.isDirectory();
        isFile = st.isFile();
      } catch {
        continue;
      }
    }
    if (isDir) {
      if (depth < ctx.maxDepth && !visited.has(real)) {
        visited.add(real);
        subdirs.push([full, real, childRel]);
      }
    } else if (ent.name.includes('tfevents')) {
      if (!isFile) {
        if (!ent.isFIFO() && !ent.isSocket()) continue;
        ctx.warn(rel, `${full}: not a regular file; skipped`);
        continue;
      }
      if (ctx.isIgnored(full, real)) {
        out.onlyIgnored.add(rel);
        continue;
      }
      if (rel.length > MAX_RUN_CHARS) {
        ctx.warn('.', `${dir}: run name of ${rel.length} characters is over the ${MAX_RUN_CHARS}-character limit; skipped`);
        continue;
      }
      let list = out.runs.get(rel);
      if (!list) out.runs.set(rel, (list = []));
      list.push({ real, found: full, name: ent.name });
    }
  }
  for (const [full, real, childRel] of subdirs) await walk(full, real, childRel, depth + 1, visited, out, ctx);
}
