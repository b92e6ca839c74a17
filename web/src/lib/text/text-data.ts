// TEXT tab data: the text plugin's routes (TensorBoard's /data/plugin/text/*) and their answers. The
// server renders Markdown (or, with markdown=false, only sanitises) into safe HTML; tables for 1-D/2-D
// string tensors come the same way.
import { expectArray, isObject, withQuery } from '../plugin/plugin-steps.ts';

export const TEXT_TAGS_URL = '/data/plugin/text/tags';

export interface TextEntry {
  step: number;
  wallTime: number;
  /** Sanitised HTML. */
  html: string;
}

export function textUrl(run: string, tag: string, raw: boolean): string {
  return withQuery('/data/plugin/text/text', raw ? { run, tag, markdown: 'false' } : { run, tag });
}

export function parseTextEntries(raw: unknown): TextEntry[] {
  return expectArray(raw, 'text entries').flatMap((e) => {
    if (!isObject(e) || typeof e.text !== 'string' || typeof e.step !== 'number') return [];
    return [{ step: e.step, wallTime: typeof e.wall_time === 'number' ? e.wall_time : 0, html: e.text }];
  });
}
