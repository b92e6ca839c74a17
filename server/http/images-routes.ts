// Images: tags, the kept images of a series (ImageRef + the query string for individualImage), and the
// bytes of one image with its content type.
import { Router } from 'express';
import type { TagInfo } from '../../shared/types.ts';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { ImageQuery, parseQuery, requireRun, requireTag, RunTagQuery } from './params.ts';
import { HttpError } from './errors.ts';
import { dict } from '../../shared/dict.ts';

/** Only raster image types are served as such; anything else is an opaque download (never HTML/SVG). */
const SAFE_MIME = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

export function imagesRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/images/tags', (_req, res) => {
    const out = dict<Record<string, TagInfo & { samples: number }>>();
    for (const run of d.store.runs()) {
      const tags = d.store.imageTags(run);
      if (tags.length === 0) continue;
      out[run] = Object.fromEntries(
        tags.map((t) => {
          const samples = d.store.images(run, t).reduce((m, im) => Math.max(m, im.sample + 1), 0);
          return [t, { ...d.store.tagInfo(run, t), samples }];
        }),
      );
    }
    sendJson(res, out);
  });
  r.get('/data/plugin/images/images', (req, res) => {
    const { run, tag } = parseQuery(RunTagQuery, req);
    requireRun(d.store, run);
    requireTag(d.store.imageTags(run), run, tag, 'image');
    sendJson(
      res,
      d.store.images(run, tag).map((im) => ({
        ...im,
        query: new URLSearchParams({ run, tag, index: String(im.index) }).toString(),
      })),
    );
  });
  r.get('/data/plugin/images/individualImage', (req, res) => {
    const { run, tag, index } = parseQuery(ImageQuery, req);
    requireRun(d.store, run);
    requireTag(d.store.imageTags(run), run, tag, 'image');
    const img = d.store.imageData(run, tag, index);
    if (!img) throw new HttpError(404, `run "${run}" tag "${tag}" has no image ${index} (it may have been sampled out)`);
    res.setHeader('Content-Type', SAFE_MIME.has(img.mime) ? img.mime : 'application/octet-stream');
    res.setHeader('Cache-Control', 'private, max-age=60');
    res.end(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength));
  });
  return r;
}
