// Tensors of the plugins served in TensorBoard's shapes (audio, pr_curves, custom_scalars), kept per
// (plugin, tag) in a reservoir sized like TensorBoard's --samples_per_plugin defaults. Pure and bounded.
import type { TensorRecord } from '../logs/records.ts';
import { Reservoir, type Rng } from './reservoir.ts';
import type { SampleLimits } from './sample-limits.ts';

/** TensorBoard 2.21's defaults (data_ingester.DEFAULT_TENSOR_SIZE_GUIDANCE, text_plugin downsampling). */
export const PLUGIN_SAMPLE_DEFAULTS = { text: 100, audio: 10, pr_curves: 100, other: 10 } as const;

/** Plugins whose tensors are kept (everything else is only counted). */
export const KEPT_PLUGINS = ['audio', 'pr_curves', 'custom_scalars'] as const;
export type KeptPlugin = (typeof KEPT_PLUGINS)[number];

/** Bytes kept of one tensor's strings (an audio clip bigger than this is dropped with a warning). */
export const MAX_TENSOR_BYTES = 32 * 1024 * 1024;

export interface PluginPoint {
  wallTime: number;
  step: number;
  shape: number[];
  values?: number[];
  strings?: Uint8Array[];
}

export interface PluginTagInfo {
  displayName: string;
  description: string;
  /** Plugin content of the tag's first metadata (e.g. the audio encoding). */
  content?: Uint8Array;
  /** Largest first dimension seen (TensorBoard's max_length of a blob sequence). */
  maxLength: number;
}

interface Series {
  info: PluginTagInfo;
  points: Reservoir<Omit<PluginPoint, 'step'>>;
}

export function isKeptPlugin(p: string): p is KeptPlugin {
  return (KEPT_PLUGINS as readonly string[]).includes(p);
}

export function pluginLimit(limits: SampleLimits, plugin: string): number {
  if (plugin === 'audio') return limits.audio ?? PLUGIN_SAMPLE_DEFAULTS.audio;
  if (plugin === 'pr_curves') return limits.pr_curves ?? PLUGIN_SAMPLE_DEFAULTS.pr_curves;
  return PLUGIN_SAMPLE_DEFAULTS.other;
}

export class PluginSeries {
  private readonly byPlugin = new Map<string, Map<string, Series>>();

  constructor(
    private readonly limits: SampleLimits,
    private readonly rng: Rng,
    private readonly maxTags: number,
  ) {}

  /** Keeps the record when its plugin is one we serve; returns a warning when it had to drop it. */
  add(rec: TensorRecord): string | undefined {
    if (!isKeptPlugin(rec.plugin)) return undefined;
    const bytes = (rec.strings ?? []).reduce((a, s) => a + s.length, 0);
    if (bytes > MAX_TENSOR_BYTES) return `${rec.plugin} "${rec.tag}" step ${rec.step}: ${bytes} bytes is over ${MAX_TENSOR_BYTES}; dropped`;
    let tags = this.byPlugin.get(rec.plugin);
    if (!tags) this.byPlugin.set(rec.plugin, (tags = new Map()));
    let s = tags.get(rec.tag);
    if (!s) {
      if (tags.size >= this.maxTags) return `more than ${this.maxTags} ${rec.plugin} tags; records of further tags are dropped`;
      s = {
        info: { displayName: rec.displayName ?? '', description: rec.description ?? '', maxLength: 0, ...(rec.content ? { content: rec.content } : {}) },
        points: new Reservoir(pluginLimit(this.limits, rec.plugin), this.rng),
      };
      tags.set(rec.tag, s);
    }
    const shape = rec.shape ?? [];
    s.info.maxLength = Math.max(s.info.maxLength, shape[0] ?? 1);
    s.points.add(rec.step, { wallTime: rec.wallTime, shape, ...(rec.values ? { values: rec.values } : {}), ...(rec.strings ? { strings: rec.strings } : {}) });
    return undefined;
  }

  tags(plugin: KeptPlugin): string[] {
    return [...(this.byPlugin.get(plugin)?.keys() ?? [])];
  }

  info(plugin: KeptPlugin, tag: string): PluginTagInfo | undefined {
    const i = this.byPlugin.get(plugin)?.get(tag)?.info;
    return i ? { ...i } : undefined;
  }

  /** Kept points in step order. */
  points(plugin: KeptPlugin, tag: string): PluginPoint[] {
    const s = this.byPlugin.get(plugin)?.get(tag);
    return s ? s.points.items().map(({ step, item }) => ({ step, ...item })) : [];
  }
}
