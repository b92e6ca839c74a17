// AUDIO tab data: the audio plugin's routes (TensorBoard's /data/plugin/audio/*). The tags route says how
// many clips (samples) a tag holds per step; /audio lists one sample's clips by step, each with the query
// of the clip's bytes (individualAudio, served with its content type).
import { expectArray, isObject, withQuery } from '../plugin/plugin-steps.ts';

export const AUDIO_TAGS_URL = '/data/plugin/audio/tags';

export interface AudioEntry {
  step: number;
  wallTime: number;
  label: string;
  contentType: string;
  /** URL of the clip's bytes (an <audio> src). */
  src: string;
}

/** run -> tag -> samples per step (at least 1). */
export function parseAudioTags(raw: unknown): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  if (!isObject(raw)) return out;
  for (const [run, tags] of Object.entries(raw)) {
    if (!isObject(tags)) continue;
    const m = new Map<string, number>();
    for (const [tag, info] of Object.entries(tags)) {
      const n = isObject(info) && typeof info.samples === 'number' && Number.isSafeInteger(info.samples) ? info.samples : 1;
      m.set(tag, Math.max(1, n));
    }
    out.set(run, m);
  }
  return out;
}

export function audioUrl(run: string, tag: string, sample: number): string {
  return withQuery('/data/plugin/audio/audio', { run, tag, sample });
}

const CLIP_ROUTE = '/data/plugin/audio/individualAudio';

export function parseAudioEntries(raw: unknown): AudioEntry[] {
  return expectArray(raw, 'audio entries').flatMap((e) => {
    if (!isObject(e) || typeof e.step !== 'number' || typeof e.query !== 'string') return [];
    // The query is the server's own (blob_key + content_type); anything else is not a clip of ours.
    if (!/^blob_key=[A-Za-z0-9_-]+&content_type=[\w%.+-]+$/.test(e.query)) return [];
    // TensorBoard's audio is WAV (its only encoding), but TF1-style clips (PyTorch, tensorboardX, tf.compat.v1)
    // carry no encoding and are listed as application/octet-stream, which some browsers will not play: the
    // player asks for them as audio/wav (the route serves the same bytes under either type).
    const query = e.query.replace('content_type=application%2Foctet-stream', 'content_type=audio%2Fwav');
    return [{
      step: e.step,
      wallTime: typeof e.wall_time === 'number' ? e.wall_time : 0,
      label: typeof e.label === 'string' ? e.label : '',
      contentType: query.endsWith('audio%2Fwav') ? 'audio/wav' : typeof e.contentType === 'string' ? e.contentType : '',
      src: `${CLIP_ROUTE}?${query}`,
    }];
  });
}

/** The sample to show: the one picked when the tag has it, else 0. */
export function clampSample(picked: number | undefined, samples: number): number {
  return picked !== undefined && picked >= 0 && picked < samples ? picked : 0;
}
