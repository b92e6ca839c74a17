// The export carries the plugin data itself (text raw and rendered, hparams, PR curves, audio clips,
// projector embeddings), and each section equals what TensorBoard 2.21 served for the same logdir.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExport, exportToJson, loadRunsFromPath } from '../../server/logs/export.ts';
import type { ExportDocument } from '../../shared/types.ts';
import { GOLDEN_LOGDIR, goldenRoutes, loadGolden } from './golden.ts';

const golden = loadGolden();
let doc: ExportDocument;

const recorded = (route: string, part: string) => goldenRoutes(golden, route).find((r) => r.path.includes(part))!;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  doc = JSON.parse(exportToJson(buildExport(await loadRunsFromPath(GOLDEN_LOGDIR)))) as ExportDocument;
}, 60_000);

describe('export plugin sections', () => {
  it('text: raw and the HTML TensorBoard serves', () => {
    const notes = doc.runs['tf2/train'].text?.notes ?? [];
    const tb = recorded('/data/plugin/text/text', 'tag=notes').json as { step: number; text: string }[];
    expect(notes.map((n) => [n.step, n.html])).toEqual(tb.map((t) => [t.step, t.text]));
    expect(notes[0].raw).toContain('<script>alert(1)</script>');
    const table = doc.runs['tf2/train'].text?.table ?? [];
    expect(table[0]).toMatchObject({ shape: [2, 2], cells: ['a', 'b', 'c', '0'] });
  });
  it('PR curves as TensorBoard answers them', () => {
    const tb = recorded('/data/plugin/pr_curves/pr_curves', 'run=torch') .json as Record<string, unknown>;
    expect(doc.runs['torch/main'].prCurves?.pr).toEqual(tb['torch/main']);
  });
  it('audio clips with the bytes TensorBoard serves', () => {
    const clip = doc.runs['tf2/train'].audio?.tone?.[0];
    expect(clip?.contentType).toBe('audio/wav');
    const tb = goldenRoutes(golden, '/data/plugin/audio/individualAudio').find((r) => r.path.includes('WyIiLCJ0ZjIvdHJhaW4iLCJ0b25lIiwwLDBd'))!;
    expect(sha(Buffer.from(clip!.clips[0], 'base64'))).toBe(tb.sha256);
  });
  it('hparams: experiment, session start and end', () => {
    const hp = doc.runs['tbx/main/hp'].hparams;
    expect(hp?.experiment?.metricInfos.map((m) => m.tag)).toEqual(['hparam/accuracy']);
    expect(hp?.start?.hparams).toEqual({ lr: 0.01, act: 'relu', bn: true });
    expect(hp?.end?.status).toBe('STATUS_SUCCESS');
    expect(doc.runs['tf2/hparams'].hparams?.experiment?.hparamInfos.find((h) => h.name === 'lr')?.domainInterval).toEqual({ minValue: 0.001, maxValue: 0.1 });
  });
  it('projector embeddings with TensorBoard\'s tensor bytes, metadata and sprite', () => {
    const [e] = doc.runs['torch/main'].embeddings ?? [];
    expect(e.shape).toEqual([30, 5]);
    const bytes = Buffer.from(new Float32Array(e.values.flat()).buffer);
    expect(sha(bytes)).toBe(recorded('/data/plugin/projector/tensor', 'run=torch').sha256);
    expect(e.metadata).toBe(recorded('/data/plugin/projector/metadata', 'run=torch').text);
    expect(sha(Buffer.from(e.sprite!.data, 'base64'))).toBe(recorded('/data/plugin/projector/sprite_image', 'run=torch').sha256);
  });
});
