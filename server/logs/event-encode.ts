// LogRecord-like inputs -> Event protobuf bytes, shaped the way TensorBoard's own writers shape them
// (so TensorBoard reads our files): simple_value scalars, HistogramProto, Summary.Image, plugin tensors.
import protobuf from 'protobufjs';
import { PB } from './tfevents-schema.ts';
import { type HistogramSummary } from '../../shared/histogram.ts';

const utf8 = new TextEncoder();
const DT_FLOAT = 1;
const DT_STRING = 7;

type Msg = Record<string, unknown>;

/** Encodes a plain Event object (field names as in our .proto, snake_case). */
export function encodeEvent(ev: Msg): Uint8Array {
  return PB.Event.encode(ev).finish();
}

// Hand-rolled encoder for the hottest path (one scalar per event); tests decode it with protobufjs.
const tagCache = new Map<string, Uint8Array>();
const TAG_CACHE_MAX = 4096;
function tagBytes(tag: string): Uint8Array {
  let b = tagCache.get(tag);
  if (!b) {
    b = utf8.encode(tag);
    if (tagCache.size >= TAG_CACHE_MAX) tagCache.clear();
    tagCache.set(tag, b);
  }
  return b;
}

export function encodeScalarEvent(tag: string, value: number, step: number, wallTime: number): Uint8Array {
  const t = tagBytes(tag);
  const w = protobuf.Writer.create();
  w.uint32(0x09).double(wallTime);
  if (step !== 0) w.uint32(0x10).int64(step);
  const valueLen = 1 + varintLen(t.length) + t.length + 5;
  w.uint32(0x2a).uint32(1 + varintLen(valueLen) + valueLen);
  w.uint32(0x0a).uint32(valueLen);
  w.uint32(0x0a).bytes(t);
  w.uint32(0x15).float(value);
  return w.finish();
}

/** Bytes encodeScalarEvent would produce for this tag and step. */
export function scalarEventSize(tag: Uint8Array, step: number): number {
  const valueLen = 1 + varintLen(tag.length) + tag.length + 5;
  const summaryLen = 1 + varintLen(valueLen) + valueLen;
  return 9 + (step !== 0 ? 1 + varintLen(step) : 0) + 1 + varintLen(summaryLen) + summaryLen;
}

function putVarint(b: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    b[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  b[pos++] = n;
  return pos;
}

/**
 * Writes the same bytes as encodeScalarEvent straight into b at pos (room checked by the caller via
 * scalarEventSize); returns the end position. Steps must be non-negative integers.
 */
export function writeScalarEvent(b: Uint8Array, dv: DataView, pos: number, tag: Uint8Array, value: number, step: number, wallTime: number): number {
  b[pos] = 0x09;
  dv.setFloat64(pos + 1, wallTime, true);
  pos += 9;
  if (step !== 0) {
    b[pos++] = 0x10;
    pos = putVarint(b, pos, step);
  }
  const valueLen = 1 + varintLen(tag.length) + tag.length + 5;
  b[pos++] = 0x2a;
  pos = putVarint(b, pos, 1 + varintLen(valueLen) + valueLen);
  b[pos++] = 0x0a;
  pos = putVarint(b, pos, valueLen);
  b[pos++] = 0x0a;
  pos = putVarint(b, pos, tag.length);
  b.set(tag, pos);
  pos += tag.length;
  b[pos] = 0x15;
  dv.setFloat32(pos + 1, value, true);
  return pos + 5;
}

// protobufjs (proto3) leaves out doubles that are +0 (Object.is), integer 0, empty strings and empty
// repeated fields; the in-place encoder below does the same so its bytes are identical.
const dbl = (x: number): number => (Object.is(x, 0) ? 0 : 9);
const strField = (n: number): number => (n === 0 ? 0 : 1 + varintLen(n) + n);
const packedLen = (n: number): number => (n === 0 ? 0 : 1 + varintLen(8 * n) + 8 * n);

/** Bytes of the HistogramProto message (no key/length of its own). */
function histoLen(h: HistogramSummary): number {
  return dbl(h.min) + dbl(h.max) + dbl(h.num) + dbl(h.sum) + dbl(h.sumSquares) + packedLen(h.bucketLimit.length) + packedLen(h.bucket.length);
}

function histoValueLen(tag: Uint8Array, hl: number): number {
  return strField(tag.length) + 1 + varintLen(hl) + hl;
}

/** Bytes writeHistogramEvent will write for the same arguments (steps: non-negative safe integers). */
export function histogramEventSize(tag: Uint8Array, h: HistogramSummary, step: number, wallTime: number): number {
  const valueLen = histoValueLen(tag, histoLen(h));
  const summaryLen = 1 + varintLen(valueLen) + valueLen;
  return dbl(wallTime) + (step !== 0 ? 1 + varintLen(step) : 0) + 1 + varintLen(summaryLen) + summaryLen;
}

function putPackedDoubles(b: Uint8Array, dv: DataView, pos: number, key: number, xs: readonly number[]): number {
  if (xs.length === 0) return pos; // protobufjs leaves empty repeated fields out
  b[pos++] = key;
  pos = putVarint(b, pos, 8 * xs.length);
  for (let i = 0; i < xs.length; i++, pos += 8) dv.setFloat64(pos, xs[i], true);
  return pos;
}

/**
 * Writes the same bytes as encodeHistogramEvent straight into b at pos (room checked by the caller via
 * histogramEventSize, given the same step and wallTime); returns the end position. Fields in field-number
 * order, defaults left out as protobufjs does. Steps must be non-negative safe integers.
 */
export function writeHistogramEvent(b: Uint8Array, dv: DataView, pos: number, tag: Uint8Array, h: HistogramSummary, step: number, wallTime: number): number {
  const hl = histoLen(h);
  const valueLen = histoValueLen(tag, hl);
  pos = putDouble(b, dv, pos, 0x09, wallTime);
  if (step !== 0) {
    b[pos++] = 0x10;
    pos = putVarint(b, pos, step);
  }
  b[pos++] = 0x2a; // Event.summary
  pos = putVarint(b, pos, 1 + varintLen(valueLen) + valueLen);
  b[pos++] = 0x0a; // Summary.value
  pos = putVarint(b, pos, valueLen);
  if (tag.length > 0) {
    b[pos++] = 0x0a; // Value.tag
    pos = putVarint(b, pos, tag.length);
    b.set(tag, pos);
    pos += tag.length;
  }
  return putHisto(b, dv, pos, h, hl);
}

/** Value.histo: key, length and the HistogramProto's fields. */
function putHisto(b: Uint8Array, dv: DataView, pos: number, h: HistogramSummary, hl: number = histoLen(h)): number {
  b[pos++] = 0x2a; // Value.histo
  pos = putVarint(b, pos, hl);
  pos = putDouble(b, dv, pos, 0x09, h.min);
  pos = putDouble(b, dv, pos, 0x11, h.max);
  pos = putDouble(b, dv, pos, 0x19, h.num);
  pos = putDouble(b, dv, pos, 0x21, h.sum);
  pos = putDouble(b, dv, pos, 0x29, h.sumSquares);
  pos = putPackedDoubles(b, dv, pos, 0x32, h.bucketLimit);
  return putPackedDoubles(b, dv, pos, 0x3a, h.bucket);
}

/** A summary value the in-place encoder writes: a simple_value scalar or a HistogramProto. */
export type PlainValue =
  | { kind: 'scalar'; tag: string; value: number }
  | { kind: 'histogram'; tag: string; summary: HistogramSummary };

/**
 * A summary event measured once: each value's tag bytes, message length and (histograms) HistogramProto
 * length, so writing it looks nothing up again. `size` is the Event's bytes (steps: non-negative safe integers).
 */
export interface SummaryEventPlan {
  size: number;
  values: readonly PlainValue[];
  tags: Uint8Array[];
  valueLens: number[];
  histoLens: number[];
  summaryLen: number;
  step: number;
  wallTime: number;
}

export function planSummaryEvent(values: readonly PlainValue[], step: number, wallTime: number): SummaryEventPlan {
  const n = values.length;
  const tags: Uint8Array[] = new Array(n);
  const valueLens: number[] = new Array(n);
  const histoLens: number[] = new Array(n);
  let summaryLen = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const tag = (tags[i] = tagBytes(v.tag));
    let vl: number;
    if (v.kind === 'scalar') {
      // simple_value is in a oneof: written even when 0, so a reader knows which field it is.
      vl = strField(tag.length) + 5;
      histoLens[i] = 0;
    } else {
      const hl = (histoLens[i] = histoLen(v.summary));
      vl = histoValueLen(tag, hl);
    }
    valueLens[i] = vl;
    summaryLen += 1 + varintLen(vl) + vl;
  }
  const size = dbl(wallTime) + (step !== 0 ? 1 + varintLen(step) : 0) + 1 + varintLen(summaryLen) + summaryLen;
  return { size, values, tags, valueLens, histoLens, summaryLen, step, wallTime };
}

/**
 * One Event whose Summary holds all of the plan's values, in order (what TF1's merged summaries write):
 * one record and one CRC for a summary step instead of one per value. Written in place like
 * writeHistogramEvent (room for plan.size checked by the caller); returns the end position.
 */
export function writeSummaryEvent(b: Uint8Array, dv: DataView, pos: number, plan: SummaryEventPlan): number {
  const { values, tags, valueLens, histoLens, step } = plan;
  pos = putDouble(b, dv, pos, 0x09, plan.wallTime);
  if (step !== 0) {
    b[pos++] = 0x10;
    pos = putVarint(b, pos, step);
  }
  b[pos++] = 0x2a; // Event.summary
  pos = putVarint(b, pos, plan.summaryLen);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const tag = tags[i];
    b[pos++] = 0x0a; // Summary.value
    pos = putVarint(b, pos, valueLens[i]);
    if (tag.length > 0) {
      b[pos++] = 0x0a; // Value.tag
      pos = putVarint(b, pos, tag.length);
      // byte by byte: TypedArray#set costs more than a short tag's copy
      for (let j = 0; j < tag.length; j++) b[pos + j] = tag[j];
      pos += tag.length;
    }
    if (v.kind === 'scalar') {
      b[pos] = 0x15; // Value.simple_value
      dv.setFloat32(pos + 1, v.value, true);
      pos += 5;
    } else {
      pos = putHisto(b, dv, pos, v.summary, histoLens[i]);
    }
  }
  return pos;
}

function putDouble(b: Uint8Array, dv: DataView, pos: number, key: number, x: number): number {
  if (Object.is(x, 0)) return pos;
  b[pos] = key;
  dv.setFloat64(pos + 1, x, true);
  return pos + 9;
}

export { tagBytes };

function varintLen(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function summaryEvent(value: Msg, step: number, wallTime: number): Uint8Array {
  return encodeEvent({ wall_time: wallTime, step, summary: { value: [value] } });
}

function pluginMetadata(plugin: string, content?: Uint8Array): Msg {
  return { plugin_data: { plugin_name: plugin, content: content ?? new Uint8Array(0) } };
}

function stringTensor(strings: (string | Uint8Array)[], shape: number[]): Msg {
  return {
    dtype: DT_STRING,
    tensor_shape: { dim: shape.map((size) => ({ size })) },
    string_val: strings.map((s) => (typeof s === 'string' ? utf8.encode(s) : s)),
  };
}

/** `writer` goes to Event.source_metadata (TensorBoard's writer name, e.g. "tensorflow.core.util.events_writer"). */
export function encodeFileVersionEvent(wallTime: number, writer?: string): Uint8Array {
  return encodeEvent({ wall_time: wallTime, file_version: 'brain.Event:2', ...(writer ? { source_metadata: { writer } } : {}) });
}

export function encodeHistogramEvent(tag: string, h: HistogramSummary, step: number, wallTime: number): Uint8Array {
  const histo = { min: h.min, max: h.max, num: h.num, sum: h.sum, sum_squares: h.sumSquares, bucket_limit: h.bucketLimit, bucket: h.bucket };
  return summaryEvent({ tag, histo }, step, wallTime);
}

/** PNG colour type (IHDR byte 25) -> Summary.Image colorspace (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
function pngColorspace(png: Uint8Array): number {
  if (png.length < 26) return 0;
  switch (png[25]) {
    case 0: return 1;
    case 4: return 2;
    case 2: case 3: return 3;
    case 6: return 4;
    default: return 0;
  }
}

export function encodeImageEvent(tag: string, png: Uint8Array, width: number, height: number, step: number, wallTime: number): Uint8Array {
  const image = { height, width, colorspace: pngColorspace(png), encoded_image_string: png };
  return summaryEvent({ tag, image, metadata: pluginMetadata('images') }, step, wallTime);
}

export function encodeTextEvent(tag: string, text: string, step: number, wallTime: number): Uint8Array {
  return summaryEvent({ tag, metadata: pluginMetadata('text'), tensor: stringTensor([text], []) }, step, wallTime);
}

/** What Keras' TensorBoard callback writes: tag "keras", plugin graph_keras_model, content "1". */
export function encodeKerasModelEvent(modelJson: string, step: number, wallTime: number): Uint8Array {
  const metadata = pluginMetadata('graph_keras_model', utf8.encode('1'));
  return summaryEvent({ tag: 'keras', metadata, tensor: stringTensor([modelJson], []) }, step, wallTime);
}

export const HPARAMS_TAGS = {
  experiment: '_hparams_/experiment',
  sessionStart: '_hparams_/session_start_info',
  sessionEnd: '_hparams_/session_end_info',
} as const;

// The hparams plugin's summaries carry their data in the metadata; the tensor is a placeholder 0.
const NULL_TENSOR = { dtype: DT_FLOAT, tensor_shape: { dim: [] }, float_val: [0] };

function hparamsEvent(tag: string, data: Msg, wallTime: number): Uint8Array {
  const content = PB.HParamsPluginData.encode({ version: 0, ...data }).finish();
  return summaryEvent({ tag, metadata: pluginMetadata('hparams', content), tensor: NULL_TENSOR }, 0, wallTime);
}

function hparamValue(v: string | number | boolean): Msg {
  if (typeof v === 'number') return { number_value: v };
  if (typeof v === 'boolean') return { bool_value: v };
  return { string_value: v };
}

function hparamType(v: string | number | boolean): number {
  return typeof v === 'number' ? 3 : typeof v === 'boolean' ? 2 : 1;
}

export function encodeHparamsExperimentEvent(
  hparams: Record<string, string | number | boolean>,
  metricTags: string[],
  wallTime: number,
): Uint8Array {
  const experiment = {
    time_created_secs: wallTime,
    hparam_infos: Object.entries(hparams).map(([name, v]) => ({ name, type: hparamType(v) })),
    metric_infos: metricTags.map((tag) => ({ name: { group: '', tag } })),
  };
  return hparamsEvent(HPARAMS_TAGS.experiment, { experiment }, wallTime);
}

export function encodeHparamsSessionStartEvent(hparams: Record<string, string | number | boolean>, wallTime: number): Uint8Array {
  const map: Record<string, Msg> = {};
  for (const [k, v] of Object.entries(hparams)) map[k] = hparamValue(v);
  return hparamsEvent(HPARAMS_TAGS.sessionStart, { session_start_info: { hparams: map, start_time_secs: wallTime } }, wallTime);
}

/** TensorBoard's Status has no "aborted": a stopped run is written as STATUS_UNKNOWN. */
export function encodeHparamsSessionEndEvent(status: string, wallTime: number): Uint8Array {
  const n = PB.HParamStatus.values[status] ?? 0;
  return hparamsEvent(HPARAMS_TAGS.sessionEnd, { session_end_info: { status: n, end_time_secs: wallTime } }, wallTime);
}
