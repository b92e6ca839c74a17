// How a benchmark starts bin/trainscope.mjs as its shebang line would (`npx trainscope`, `npm start`):
// the shebang's node flags and environment, no `--import tsx` (the bin sets up what it needs itself).
import { readFileSync } from 'node:fs';
import process from 'node:process';

export function shebangCommand(bin: string, args: string[]): { cmd: string; args: string[]; env: Record<string, string> } {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0];
  // "#!/usr/bin/env -S VAR=x node --flag ...": VAR=x pairs go to the environment, the rest after "node" to node.
  const words = first.replace(/^#!\S*env\s+(-S\s+)?/, '').split(/\s+/).filter(Boolean);
  const env: Record<string, string> = {};
  const flags: string[] = [];
  let seenNode = false;
  for (const w of words) {
    if (!seenNode && /^[A-Z_][A-Z0-9_]*=/.test(w)) env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
    else if (!seenNode && w === 'node') seenNode = true;
    else if (seenNode) flags.push(w);
  }
  return { cmd: process.execPath, args: [...flags, bin, ...args], env };
}
