// Audio plugin (TensorBoard's /data/plugin/audio/*): tags with their clip counts, one tag's entries,
// and a clip's bytes by TensorBoard's blob key (base64url JSON ["", run, tag, step, index]).
import { Router } from 'express';
import { dict } from '../../shared/dict.ts';
import { z } from 'zod';
import { AUDIO_MIME_TYPES, audioClip, audioEntries, audioMimeType, parseAudioBlobKey, tagSummary } from '../render/media-plugins.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { sendJson } from './json.ts';
import { parseQuery, RunTagQuery } from './params.ts';

const AudioQuery = RunTagQuery.extend({
  sample: z.coerce.number({ error: 'sample must be a number' }).int().min(0).max(1_000_000).default(0),
});
const ClipQuery = z.object({
  blob_key: z.string({ error: 'blob_key is required' }).min(1).max(4096),
  content_type: z.string({ error: 'content_type is required' }).max(100),
});

export function audioRoutes(d: HttpDeps): Router {
  const r = Router();
  r.get('/data/plugin/audio/tags', (_req, res) => {
    const out = dict<Record<string, { displayName: string; description: string; samples: number }>>();
    for (const run of [...d.store.runs()].sort()) {
      const ps = d.store.pluginSeries(run);
      const tags = ps?.tags('audio') ?? [];
      if (tags.length === 0) continue;
      out[run] = dict();
      for (const tag of tags) {
        const info = ps?.info('audio', tag);
        out[run][tag] = { ...tagSummary(info), samples: info?.maxLength ?? 0 };
      }
    }
    sendJson(res, out);
  });
  r.get('/data/plugin/audio/audio', (req, res) => {
    const { run, tag, sample } = parseQuery(AudioQuery, req);
    const ps = d.store.pluginSeries(run);
    if (!ps || !ps.tags('audio').includes(tag)) throw new HttpError(404, `No audio data for run "${run}", tag "${tag}"`);
    const mime = audioMimeType(ps.info('audio', tag)?.content);
    sendJson(res, audioEntries(run, tag, ps.points('audio', tag), mime, sample));
  });
  r.get('/data/plugin/audio/individualAudio', (req, res) => {
    const { blob_key, content_type } = parseQuery(ClipQuery, req);
    if (!AUDIO_MIME_TYPES.includes(content_type)) throw new HttpError(400, `Illegal mime type "${content_type}"`);
    const key = parseAudioBlobKey(blob_key);
    if (!key) throw new HttpError(400, 'blob_key is not a valid audio key');
    const ps = d.store.pluginSeries(key.run);
    const clip = ps ? audioClip(ps.points('audio', key.tag), key.step, key.index) : undefined;
    if (!clip) throw new HttpError(404, `${blob_key}: no such audio clip (run "${key.run}", tag "${key.tag}", step ${key.step})`);
    res.type(content_type).send(Buffer.from(clip.buffer, clip.byteOffset, clip.byteLength));
  });
  return r;
}
