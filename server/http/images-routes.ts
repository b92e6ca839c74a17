// Images as TensorBoard serves them: tags (with the most samples logged at one step), one entry per step
// for one sample index ({wall_time, step, query}), and the bytes of one image by TensorBoard's blob key
// (or by our run/tag/index, which the dashboard uses), with its content type.
import { Router } from 'express';
import { z } from 'zod';
import type { HttpDeps } from './deps.ts';
import { sendJson } from './json.ts';
import { ImageQuery, parseQuery, requireRun, requireTag, runParam, tagParam } from './params.ts';
import { HttpError } from './errors.ts';
import { outStep, tagListing } from './tag-listing.ts';
import { imageBlobKey, parseImageBlobKey } from './blob-key.ts';

/** Only raster image types are served as such; anything else is an opaque download (never HTML/SVG). */
const SAFE_MIME = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

const ImagesQuery = z.object({
  run: runParam,
  tag: tagParam,
  sample: z.coerce.number({ error: 'sample must be a number' }).int().min(0).max(1_000_000).default(0),
});

export function imagesRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/images/tags', (_req, res) => {
    const samples = (run: string, tag: string) => ({
      samples: d.store.images(run, tag).reduce((m, im) => Math.max(m, im.sample + 1), 0),
    });
    sendJson(res, tagListing(d.store, (run) => d.store.imageTags(run), samples));
  });
  r.get('/data/plugin/images/images', (req, res) => {
    const { run, tag, sample } = parseQuery(ImagesQuery, req);
    requireRun(d.store, run);
    requireTag(d.store.imageTags(run), run, tag, 'image');
    const out = d.store
      .images(run, tag)
      .filter((im) => im.sample === sample)
      .map((im) => {
        const step = outStep(d.store, run, im.step);
        return { query: `blob_key=${imageBlobKey(run, tag, step, sample)}`, step, wall_time: im.wallTime };
      });
    sendJson(res, out);
  });
  r.get('/data/plugin/images/individualImage', (req, res) => {
    let img: { data: Uint8Array; mime: string } | undefined;
    if (typeof req.query.blob_key === 'string') {
      const key = parseImageBlobKey(req.query.blob_key);
      if (typeof key === 'string') throw new HttpError(400, key);
      requireRun(d.store, key.run);
      requireTag(d.store.imageTags(key.run), key.run, key.tag, 'image');
      img = d.store.imageAt(key.run, key.tag, key.step, key.sample);
      if (!img) throw new HttpError(404, `run "${key.run}" tag "${key.tag}" has no image ${key.sample} at step ${key.step} (it may have been sampled out)`);
    } else {
      const { run, tag, index } = parseQuery(ImageQuery, req);
      requireRun(d.store, run);
      requireTag(d.store.imageTags(run), run, tag, 'image');
      img = d.store.imageData(run, tag, index);
      if (!img) throw new HttpError(404, `run "${run}" tag "${tag}" has no image ${index} (it may have been sampled out)`);
    }
    res.setHeader('Content-Type', SAFE_MIME.has(img.mime) ? img.mime : 'application/octet-stream');
    res.setHeader('Cache-Control', 'private, max-age=60');
    res.end(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength));
  });
  return r;
}
