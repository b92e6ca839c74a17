// Event protobuf bytes <-> normalized LogRecords, the way TensorBoard reads them:
// TF1 simple_value / HistogramProto / Summary.Image and TF2 plugin tensors all become the same records
// (the hparams plugin's metadata through hparams-decode.ts).
import type { LogRecord } from './records.ts';
import { PB } from './tfevents-schema.ts';
import { histogramProtoToBuckets } from '../../shared/histogram.ts';
import type { Bucket } from '../../shared/types.ts';
import { graphDefToJson, kerasModelToGraph } from './graph-normalize.ts';
import { type PbTensor, tensorDtypeName, tensorNumbers, tensorShape, tensorStrings, toNum } from './tensor-values.ts';
import { decodeFastColumns, decodeFastInto } from './fast-decode.ts';
import { annotate } from './annotate.ts';
import type { PackBuilder } from './packed-records.ts';
import { capTag, MAX_TAG_CHARS } from './names.ts';
import { hparamsRecord, type ValueBase } from './hparams-decode.ts';
import { exactIntText } from '../../shared/exact-int.ts';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Plugin names whose tensors we normalize; anything else becomes a TensorRecord. */
export const PLUGIN = {
  scalars: 'scalars',
  histograms: 'histograms',
  images: 'images',
  text: 'text',
  hparams: 'hparams',
  kerasGraph: 'graph_keras_model',
  runMetadata: 'graph_run_metadata',
  runMetadataGraph: 'graph_run_metadata_graph',
} as const;

type Msg = Record<string, any>;

function copyBytes(b: Uint8Array): Uint8Array {
  // Decoded bytes are views into the (possibly large) file buffer: copy so that buffer can be freed.
  return new Uint8Array(b);
}

/**
 * Decodes one run's events. Keeps each tag's plugin from the first occurrence that carries metadata
 * (TF1 writers omit it afterwards), so use one decoder per run, fed in file order.
 */
export interface DecoderState {
  plugins: [string, string][];
  contents: [string, Uint8Array][];
  tagInfo: [string, { displayName: string; description: string }][];
  cappedWarned: string[];
}

export class EventDecoder {
  private readonly plugins = new Map<string, string>();
  /** Each tag's plugin content from its first metadata (audio encoding, pr_curve settings...). */
  private readonly contents = new Map<string, Uint8Array>();
  /** Display name / description from each tag's first metadata, for consumers that show them. */
  readonly tagInfo = new Map<string, { displayName: string; description: string }>();
  /** Over-long tags already warned about (bounded: one warning per tag, not per record). */
  private readonly cappedWarned = new Set<string>();
  /** Use the hand-written decoder for plain simple_value events (tested against protobufjs). */
  fastPath = true;

  /** What the decoder learnt of a run's tags (plain data): a load worker hands it to the main thread's decoder. */
  exportState(): DecoderState {
    return { plugins: [...this.plugins], contents: [...this.contents], tagInfo: [...this.tagInfo], cappedWarned: [...this.cappedWarned] };
  }

  /** Take over what another decoder learnt (entries it already has are kept: a tag's first metadata wins). */
  importState(st: DecoderState): void {
    for (const [k, v] of st.plugins) if (!this.plugins.has(k)) this.plugins.set(k, v);
    for (const [k, v] of st.contents) if (!this.contents.has(k)) this.contents.set(k, v);
    for (const [k, v] of st.tagInfo) if (!this.tagInfo.has(k)) this.tagInfo.set(k, v);
    for (const k of st.cappedWarned) this.cappedWarned.add(k);
  }

  pluginOf(tag: string): string | undefined {
    return this.plugins.get(tag);
  }

  decode(data: Uint8Array, where: string): { records: LogRecord[]; warnings: string[] } {
    const records: LogRecord[] = [];
    const warnings: string[] = [];
    this.decodeInto(data, 0, data.length, where, records, warnings);
    return { records, warnings };
  }

  /**
   * Decodes the event in buf[start, end), appending to records / warnings (the reader's hot path).
   * `where` (text, or a function making it only when there is something to warn about) names the
   * file and offset.
   */
  decodeInto(
    buf: Uint8Array,
    start: number,
    end: number,
    where: string | (() => string),
    records: LogRecord[],
    warnings: string[],
  ): void {
    const pack = this.packTo;
    if (this.fastPath) {
      // Only events without metadata take this path, so the plugin map needs no update.
      if (pack ? decodeFastColumns(buf, start, end, pack.out, pack) : decodeFastInto(buf, start, end, records)) return;
    }
    const nWarn = warnings.length;
    const into = pack ? [] : records;
    this.decodeSlow(buf.subarray(start, end), into, warnings);
    if (warnings.length > nWarn) {
      const w = typeof where === 'string' ? where : where();
      for (let i = nWarn; i < warnings.length; i++) warnings[i] = `${w}: ${warnings[i]}`;
    }
    if (pack) {
      annotate(this.tagInfo, pack.annotated, into);
      for (const r of into) pack.out.add(r);
    }
  }

  /**
   * A load worker's columns: while set, decodeInto packs what it decodes there (leaving `records` alone),
   * each tag's metadata put on its first record as annotate() does.
   */
  packInto(out: PackBuilder | null, annotated: Set<string>): void {
    this.packTo = out ? { out, info: this.tagInfo, annotated } : null;
  }
  private packTo: { out: PackBuilder; info: ReadonlyMap<string, unknown>; annotated: Set<string> } | null = null;

  /** protobufjs path; warnings are written without the location prefix (decodeInto adds it). */
  private decodeSlow(data: Uint8Array, records: LogRecord[], warnings: string[]): void {
    let ev: Msg;
    try {
      ev = PB.Event.decode(data) as unknown as Msg;
    } catch (e) {
      warnings.push(`cannot decode Event (${(e as Error).message}); record skipped`);
      return;
    }
    const wallTime: number = ev.wall_time ?? 0;
    const step = toNum(ev.step ?? 0);
    const stepExact = exactIntText(ev.step);
    const first = records.length;
    switch (ev.what as string | undefined) {
      case 'summary':
        for (const v of (ev.summary?.value ?? []) as Msg[]) {
          try {
            this.decodeValue(v, wallTime, step, records, warnings);
          } catch (e) {
            warnings.push(`tag "${v.tag ?? ''}": cannot normalize summary value (${(e as Error).message})`);
          }
        }
        break;
      case 'file_version':
        records.push({ kind: 'meta', what: 'file_version', wallTime, step, detail: ev.file_version });
        break;
      case 'graph_def':
        try {
          const g = PB.GraphDef.decode(ev.graph_def) as unknown as Msg;
          const source = { kind: 'graph_def' as const, data: copyBytes(ev.graph_def) };
          records.push({ kind: 'graph', wallTime, step, graph: graphDefToJson(g, step), source });
        } catch (e) {
          warnings.push(`cannot decode graph_def (${(e as Error).message})`);
        }
        break;
      case 'session_log': {
        const s = ev.session_log;
        const status = PB.SessionStatus.valuesById[s.status ?? 0] ?? String(s.status);
        const detail = [status, s.msg, s.checkpoint_path].filter((x) => x).join(' ');
        records.push({ kind: 'meta', what: 'session_log', wallTime, step, detail });
        break;
      }
      case 'tagged_run_metadata':
        records.push({ kind: 'meta', what: 'tagged_run_metadata', wallTime, step, detail: ev.tagged_run_metadata.tag, blob: copyBytes(ev.tagged_run_metadata.run_metadata ?? new Uint8Array(0)) });
        break;
      case 'meta_graph_def':
        records.push({ kind: 'meta', what: 'meta_graph_def', wallTime, step, detail: `${ev.meta_graph_def.length} bytes` });
        break;
      case 'log_message':
        records.push({ kind: 'meta', what: 'log_message', wallTime, step, detail: ev.log_message.message });
        break;
      default:
        break;
    }
    if (ev.source_metadata) {
      records.push({ kind: 'meta', what: 'source_metadata', wallTime, step, detail: ev.source_metadata.writer });
    }
    if (stepExact !== undefined) for (let i = first; i < records.length; i++) records[i].stepExact = stepExact;
  }

  private decodeValue(v: Msg, wallTime: number, step: number, out: LogRecord[], warnings: string[]): void {
    const raw: string = v.tag || v.node_name || '';
    const tag = capTag(raw);
    if (tag !== raw && !this.cappedWarned.has(tag) && this.cappedWarned.size < 1000) {
      this.cappedWarned.add(tag);
      warnings.push(`tag of ${raw.length} characters truncated to ${MAX_TAG_CHARS} ("${tag.slice(0, 60)}…")`);
    }
    const md: Msg | undefined = v.metadata;
    if (md && !this.plugins.has(tag)) {
      this.plugins.set(tag, md.plugin_data?.plugin_name ?? '');
      this.tagInfo.set(tag, { displayName: md.display_name ?? '', description: md.summary_description ?? '' });
      const c: Uint8Array | undefined = md.plugin_data?.content;
      if (c && c.length > 0) this.contents.set(tag, copyBytes(c));
    }
    const plugin = this.plugins.get(tag) ?? '';
    const base = { wallTime, step, tag };
    switch (v.value as string | undefined) {
      case 'simple_value':
        out.push({ kind: 'scalar', ...base, value: v.simple_value });
        return;
      case 'histo': {
        const h = v.histo;
        const buckets = histogramProtoToBuckets({ min: h.min, max: h.max, bucketLimit: h.bucket_limit ?? [], bucket: h.bucket ?? [] });
        out.push({ kind: 'histogram', ...base, buckets });
        return;
      }
      case 'image': {
        const im = v.image;
        out.push({ kind: 'image', ...base, width: im.width, height: im.height, data: copyBytes(im.encoded_image_string), sample: 0 });
        return;
      }
      case 'audio': {
        // TF1 Summary.Audio: one clip, no label; TensorBoard serves it as of unknown encoding.
        const a = v.audio;
        out.push({ kind: 'tensor', ...base, plugin: plugin || 'audio', dtype: 'DT_STRING', shape: [1, 2], strings: [copyBytes(a.encoded_audio_string ?? new Uint8Array(0)), new Uint8Array(0)], ...this.tagMeta(tag) });
        return;
      }
      case 'obsolete_old_style_histogram':
        out.push({ kind: 'tensor', ...base, plugin: plugin || 'obsolete_old_style_histogram' });
        return;
      case 'tensor':
        this.decodeTensor(v.tensor as PbTensor, plugin, md, base, out, warnings);
        return;
      default:
        // A value with metadata only (e.g. hparams written without a tensor) still counts for hparams.
        if (plugin === PLUGIN.hparams && md) this.decodeHparams(md, base, out);
        else out.push({ kind: 'tensor', ...base, plugin });
    }
  }

  private decodeTensor(
    t: PbTensor,
    plugin: string,
    md: Msg | undefined,
    base: ValueBase,
    out: LogRecord[],
    warnings: string[],
  ): void {
    const at = `tag "${base.tag}" (${plugin || 'no plugin'})`;
    switch (plugin) {
      case PLUGIN.scalars: {
        const nums = tensorNumbers(t);
        if (!nums || nums.length === 0) {
          warnings.push(`${at}: scalar tensor has no numeric value (dtype ${tensorDtypeName(t)})`);
          return;
        }
        out.push({ kind: 'scalar', ...base, value: nums[0] });
        return;
      }
      case PLUGIN.histograms: {
        const nums = tensorNumbers(t);
        if (!nums || nums.length % 3 !== 0) {
          warnings.push(`${at}: histogram tensor is not [k,3] numeric`);
          return;
        }
        const buckets: Bucket[] = [];
        for (let i = 0; i < nums.length; i += 3) buckets.push([nums[i], nums[i + 1], nums[i + 2]]);
        out.push({ kind: 'histogram', ...base, buckets });
        return;
      }
      case PLUGIN.images: {
        const s = tensorStrings(t);
        if (s.length < 2) {
          warnings.push(`${at}: image tensor needs [width, height, images...]`);
          return;
        }
        const width = Number(utf8.decode(s[0]));
        const height = Number(utf8.decode(s[1]));
        for (let i = 2; i < s.length; i++) {
          out.push({ kind: 'image', ...base, width, height, data: copyBytes(s[i]), sample: i - 2 });
        }
        return;
      }
      case PLUGIN.text: {
        const cells = tensorStrings(t).map((x) => utf8.decode(x));
        out.push({ kind: 'text', ...base, text: cells.join('\n'), shape: tensorShape(t), cells });
        return;
      }
      case PLUGIN.kerasGraph: {
        const s = tensorStrings(t);
        if (s.length === 0) {
          warnings.push(`${at}: Keras model tensor holds no JSON`);
          return;
        }
        try {
          const json = utf8.decode(s[0]);
          const source = { kind: 'keras' as const, tag: base.tag, json };
          out.push({ kind: 'graph', wallTime: base.wallTime, step: base.step, graph: kerasModelToGraph(json, base.step), source });
        } catch (e) {
          warnings.push(`${at}: cannot read Keras model JSON (${(e as Error).message})`);
        }
        return;
      }
      case PLUGIN.hparams:
        if (md) this.decodeHparams(md, base, out);
        else warnings.push(`${at}: hparams value without metadata`);
        return;
      default: {
        const rec: LogRecord = { kind: 'tensor', ...base, plugin, dtype: tensorDtypeName(t), shape: tensorShape(t), ...this.tagMeta(base.tag) };
        if (plugin === PLUGIN.runMetadata || plugin === PLUGIN.runMetadataGraph) {
          const s = tensorStrings(t);
          if (s.length > 0) rec.blob = copyBytes(s[0]);
        }
        const nums = tensorNumbers(t);
        if (nums && nums.length > 0) rec.values = nums;
        else if (t.string_val && t.string_val.length > 0) rec.strings = t.string_val.map(copyBytes);
        out.push(rec);
      }
    }
  }

  /** The tag's first-metadata content and display name / description, for plugin tensor records. */
  private tagMeta(tag: string): { content?: Uint8Array; displayName?: string; description?: string } {
    const out: { content?: Uint8Array; displayName?: string; description?: string } = {};
    const c = this.contents.get(tag);
    if (c) out.content = c;
    const ti = this.tagInfo.get(tag);
    if (ti?.displayName) out.displayName = ti.displayName;
    if (ti?.description) out.description = ti.description;
    return out;
  }

  /** hparams plugin data as a record; kept as a tensor record when it holds none of the known parts. */
  private decodeHparams(md: Msg, base: ValueBase, out: LogRecord[]): void {
    out.push(hparamsRecord(md, base) ?? { kind: 'tensor', ...base, plugin: PLUGIN.hparams });
  }
}
export { encodeEvent } from './event-encode.ts';
