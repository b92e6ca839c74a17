// TF2-style tensors and plugin metadata, built with our schema, normalize like TensorBoard does.
import { describe, expect, it } from 'vitest';
import { EventDecoder, encodeEvent } from '../../server/logs/event-codec.ts';
import { halfToNumber } from '../../server/logs/tensor-values.ts';

const DT = { FLOAT: 1, DOUBLE: 2, INT32: 3, STRING: 7, INT64: 9, HALF: 19, BFLOAT16: 14, UINT8: 4 };
const md = (plugin: string) => ({ plugin_data: { plugin_name: plugin, content: new Uint8Array(0) }, display_name: `${plugin}!`, summary_description: 'd' });
const ev = (step: number, value: Record<string, unknown>) => encodeEvent({ wall_time: 100 + step, step, summary: { value: [value] } });
const shape = (...dims: number[]) => ({ dim: dims.map((size) => ({ size })) });

function f64le(...xs: number[]): Uint8Array {
  const b = new Uint8Array(xs.length * 8);
  xs.forEach((x, i) => new DataView(b.buffer).setFloat64(i * 8, x, true));
  return b;
}

describe('EventDecoder', () => {
  it('TF2 scalar tensors of any numeric dtype; plugin remembered from the first occurrence', () => {
    const d = new EventDecoder();
    const out = [
      ev(1, { tag: 's', metadata: md('scalars'), tensor: { dtype: DT.FLOAT, tensor_shape: shape(), float_val: [0.5] } }),
      ev(2, { tag: 's', tensor: { dtype: DT.DOUBLE, tensor_shape: shape(), tensor_content: f64le(0.1) } }), // no metadata now
      ev(3, { tag: 's', tensor: { dtype: DT.HALF, tensor_shape: shape(), half_val: [0x3c00 + 0x200] } }), // 1.5
      ev(4, { tag: 's', tensor: { dtype: DT.INT64, tensor_shape: shape(), int64_val: [7] } }),
      ev(5, { tag: 's', tensor: { dtype: DT.BFLOAT16, tensor_shape: shape(), half_val: [0x4040] } }), // 3
      ev(6, { tag: 's', tensor: { dtype: DT.INT32, tensor_shape: shape(), tensor_content: new Uint8Array([0xfe, 0xff, 0xff, 0xff]) } }),
    ].flatMap((e) => d.decode(e, 'f @ 0').records);
    expect(out.map((r) => r.kind === 'scalar' && [r.step, r.value])).toEqual([
      [1, 0.5],
      [2, 0.1],
      [3, 1.5],
      [4, 7],
      [5, 3],
      [6, -2],
    ]);
    expect(d.tagInfo.get('s')).toEqual({ displayName: 'scalars!', description: 'd' });
    // a fresh decoder (another run) has no plugin for the tag: the tensor is kept, not dropped
    const other = new EventDecoder().decode(ev(2, { tag: 's', tensor: { dtype: DT.FLOAT, tensor_shape: shape(), float_val: [1] } }), 'x').records;
    expect(other).toEqual([{ kind: 'tensor', wallTime: 102, step: 2, tag: 's', plugin: '', dtype: 'DT_FLOAT', shape: [], values: [1] }]);
  });

  it('TF2 histogram [k,3] tensors, image string tensors, text, unknown plugins', () => {
    const d = new EventDecoder();
    const png = new Uint8Array([0x89, 1, 2]);
    const recs = [
      ev(1, { tag: 'h', metadata: md('histograms'), tensor: { dtype: DT.DOUBLE, tensor_shape: shape(2, 3), tensor_content: f64le(0, 1, 5, 1, 2, 3) } }),
      ev(2, { tag: 'im', metadata: md('images'), tensor: { dtype: DT.STRING, tensor_shape: shape(4), string_val: [new TextEncoder().encode('28'), new TextEncoder().encode('14'), png, png] } }),
      ev(3, { tag: 'txt', metadata: md('text'), tensor: { dtype: DT.STRING, tensor_shape: shape(), string_val: [new TextEncoder().encode('hi ✓')] } }),
      ev(4, { tag: 'pr', metadata: md('pr_curves'), tensor: { dtype: DT.FLOAT, tensor_shape: shape(2, 2), float_val: [1, 2, 3, 4] } }),
      ev(5, { tag: 'au', metadata: md('audio'), tensor: { dtype: DT.STRING, tensor_shape: shape(1, 2), string_val: [png, png] } }),
    ].flatMap((e) => d.decode(e, 'x').records);
    expect(recs[0]).toEqual({ kind: 'histogram', wallTime: 101, step: 1, tag: 'h', buckets: [[0, 1, 5], [1, 2, 3]] });
    expect(recs.slice(1, 3)).toMatchObject([
      { kind: 'image', tag: 'im', width: 28, height: 14, sample: 0 },
      { kind: 'image', tag: 'im', width: 28, height: 14, sample: 1 },
    ]);
    expect(recs[3]).toMatchObject({ kind: 'text', text: 'hi ✓' });
    expect(recs[4]).toMatchObject({ kind: 'tensor', plugin: 'pr_curves', shape: [2, 2], values: [1, 2, 3, 4] });
    expect(recs[5]).toMatchObject({ kind: 'tensor', plugin: 'audio', shape: [1, 2] });
    expect(recs[5].kind === 'tensor' && recs[5].values).toBeUndefined();
  });

  it('bad tensors warn with the location instead of throwing', () => {
    const d = new EventDecoder();
    const r = d.decode(ev(1, { tag: 'h', metadata: md('histograms'), tensor: { dtype: DT.FLOAT, tensor_shape: shape(1, 2), float_val: [1, 2] } }), 'file.tfevents @ offset 42');
    expect(r.records).toEqual([]);
    expect(r.warnings).toEqual(['file.tfevents @ offset 42: tag "h" (histograms): histogram tensor is not [k,3] numeric']);
    const bad = d.decode(new Uint8Array([0x0a, 0x05, 1]), 'f @ offset 7');
    expect(bad.warnings[0]).toMatch(/^f @ offset 7: cannot decode Event/);
  });

  it('event-level records: session_log, tagged_run_metadata, source_metadata', () => {
    const d = new EventDecoder();
    const recs = [
      encodeEvent({ wall_time: 1, step: 3, session_log: { status: 1, msg: 'go' } }),
      encodeEvent({ wall_time: 2, tagged_run_metadata: { tag: 'step_3', run_metadata: new Uint8Array(1) } }),
      encodeEvent({ wall_time: 3, file_version: 'brain.Event:2', source_metadata: { writer: 'tensorboard.summary.writer' } }),
    ].flatMap((e) => d.decode(e, 'x').records);
    expect(recs).toEqual([
      { kind: 'meta', what: 'session_log', wallTime: 1, step: 3, detail: 'START go' },
      { kind: 'meta', what: 'tagged_run_metadata', wallTime: 2, step: 0, detail: 'step_3', blob: new Uint8Array(1) },
      { kind: 'meta', what: 'file_version', wallTime: 3, step: 0, detail: 'brain.Event:2' },
      { kind: 'meta', what: 'source_metadata', wallTime: 3, step: 0, detail: 'tensorboard.summary.writer' },
    ]);
  });

  it('halfToNumber handles normals, subnormals, infinities and NaN', () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0xc000)).toBe(-2);
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x7c00)).toBe(Infinity);
    expect(halfToNumber(0xfc00)).toBe(-Infinity);
    expect(halfToNumber(0x7e00)).toBeNaN();
  });
});
