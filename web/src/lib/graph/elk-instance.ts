/// <reference types="vite/client" />
// The browser's ELK: runs in a Web Worker (elk-worker.min.js served as an asset) so laying out a
// big GraphDef does not freeze the page; falls back to the bundled build (loaded on demand).
import ELK from 'elkjs/lib/elk-api.js';
import workerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { ElkLike } from './layout.ts';

let shared: ElkLike | null = null;

export function getElk(): ElkLike {
  if (shared) return shared;
  try {
    shared = new ELK({ workerUrl });
  } catch {
    let bundled: Promise<ElkLike> | null = null;
    shared = {
      layout: async (g) => {
        bundled ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default());
        return (await bundled).layout(g);
      },
    };
  }
  return shared;
}
