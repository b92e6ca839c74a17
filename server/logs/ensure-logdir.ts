// The logdir a server watches: created when missing (said out loud, since a typo would otherwise give an
// empty dashboard), refused with a plain message when it is a file or cannot be made.
import { mkdir, stat } from 'node:fs/promises';

/** Makes sure `dir` is a directory. Returns whether it had to be created; throws a readable Error. */
export async function ensureLogdir(dir: string): Promise<{ created: boolean }> {
  try {
    const st = await stat(dir);
    if (!st.isDirectory()) throw new Error(`logdir ${dir} is a file, not a directory; give --logdir a directory of runs`);
    return { created: false };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    if (code === 'ENOTDIR') throw new Error(`logdir ${dir} cannot be created (a part of its path is a file)`);
    if (code !== 'ENOENT') throw new Error(`logdir ${dir} cannot be read (${code}); give --logdir a readable directory`);
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'a part of its path is a file' : (code ?? (e as Error).message);
    throw new Error(`logdir ${dir} does not exist and cannot be created (${why})`);
  }
  return { created: true };
}

/** What the server prints when it created the logdir. */
export function createdLogdirNotice(dir: string): string {
  return `Logdir ${dir} did not exist and was created (empty): check the path if you expected runs there.`;
}
