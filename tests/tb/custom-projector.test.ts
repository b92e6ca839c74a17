// Custom scalars and projector against TensorBoard 2.21's recorded answers on the golden logdir, plus
// the RE2 regex rules and the projector's logdir confinement.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regexScalars } from '../../server/render/custom-scalars.ts';
import { parsePbtxt, resolveAsset } from '../../server/render/projector.ts';
import { ask, goldenRoutes, loadGolden, startGoldenServer, type GoldenServer } from './golden.ts';

const golden = loadGolden();
let srv: GoldenServer;

beforeAll(async () => {
  srv = await startGoldenServer();
}, 90_000);
afterAll(async () => {
  await srv?.close();
});

/**
 * The one normalisation: TensorBoard lists projector runs in its run-discovery order; both lists are
 * compared sorted.
 */
const sortedIfRuns = (route: string, json: unknown): unknown => (route === '/data/plugin/projector/runs' ? [...(json as string[])].sort() : json);

describe.each([
  '/data/plugin/custom_scalars/layout',
  '/data/plugin/custom_scalars/scalars',
  '/data/plugin/projector/runs',
  '/data/plugin/projector/info',
  '/data/plugin/projector/metadata',
  '/data/plugin/projector/tensor',
  '/data/plugin/projector/sprite_image',
])('TensorBoard parity: %s', (route) => {
  const recorded = goldenRoutes(golden, route);
  it('has recorded answers', () => expect(recorded.length).toBeGreaterThan(0));
  it.each(recorded.map((r) => [r.path, r] as const))('%s', async (_p, r) => {
    const ours = await ask(srv.base, r);
    expect(ours.status).toBe(r.status);
    expect(ours.type).toBe(r.type);
    if (r.json !== undefined) expect(sortedIfRuns(route, ours.json)).toEqual(sortedIfRuns(route, r.json));
    else if (r.text !== undefined) expect(ours.text).toBe(r.text);
    else {
      expect(ours.bytes).toBe(r.bytes);
      expect(ours.sha256).toBe(r.sha256);
    }
  });
});

describe('custom scalars regex', () => {
  const series = (tag: string) => [[1, 0, tag.length] as [number, number, number]];
  it('matches at the start of the tag like Python re.match, via RE2', () => {
    const r = regexScalars('train/.*', ['train/loss', 'x/train/loss', 'train'], series);
    expect(r).toEqual({ regex_valid: true, tag_to_events: { 'train/loss': [[1, 0, 10]] } });
  });
  it('reports an invalid or empty regex instead of failing, and takes catastrophic patterns in linear time', () => {
    expect(regexScalars('(', ['a'], series)).toEqual({ regex_valid: false, tag_to_events: {} });
    expect(regexScalars('', ['a'], series)).toEqual({ regex_valid: false, tag_to_events: {} });
    const tag = `${'a'.repeat(5000)}!`;
    const t0 = Date.now();
    expect(regexScalars('(a+)+$', [tag], series).tag_to_events).toEqual({});
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  it('serves a margin chart series (value, lower, upper) from the run that has them', async () => {
    const ours = await ask(srv.base, { method: 'GET', path: '/data/plugin/custom_scalars/scalars?run=torch%2Fmain&tag=train%2Floss' });
    const events = (ours.json as { tag_to_events: Record<string, unknown[]> }).tag_to_events['train/loss'];
    expect(events).toHaveLength(25);
  });
});

describe('custom scalars download_data', () => {
  // TensorBoard's custom_scalars download delegates to the scalars plugin: the same answers.
  const scalarRoutes = goldenRoutes(golden, '/data/plugin/scalars/scalars').filter((r) => r.path.includes('run=tf2%2Fhparams'));
  it.each(scalarRoutes.map((r) => [r.path, r] as const))('%s', async (_p, r) => {
    const withFormat = r.path.includes('format=csv') ? r.path : `${r.path}&format=json`;
    const ours = await ask(srv.base, { method: 'GET', path: withFormat.replace('/data/plugin/scalars/scalars', '/data/plugin/custom_scalars/download_data') });
    expect(ours.status).toBe(200);
    expect(ours.type).toBe(r.type);
    if (r.json !== undefined) expect(ours.json).toEqual(r.json);
    else expect(ours.text).toBe(r.text);
  });
});

describe('projector', () => {
  it('parses the text-format config add_embedding writes', () => {
    const cfg = parsePbtxt('embeddings {\n  tensor_name: "e:1"\n  sprite { image_path: "s.png" single_image_dim: 8 single_image_dim: 8 }\n}\n# c\n');
    expect(cfg.embeddings).toHaveLength(1);
    expect(() => parsePbtxt('embeddings { tensor_name: "x"')).toThrow(/missing/);
  });
  it('never resolves an asset outside the logdir', () => {
    expect(resolveAsset('/logs', '/logs/run', '../../etc/passwd')).toBeUndefined();
    expect(resolveAsset('/logs', '/logs/run', '/etc/passwd')).toBeUndefined();
    expect(resolveAsset('/logs', '/logs/run', 'a/b.tsv')).toBe('/logs/run/a/b.tsv');
  });
  it('refuses, with a 400, a config whose paths escape the logdir', async () => {
    const dir = path.join(srv.logdir, 'torch', 'main');
    writeFileSync(
      path.join(dir, 'projector_config.pbtxt'),
      'embeddings {\n  tensor_name: "evil"\n  tensor_path: "../../../../../../etc/hostname"\n  metadata_path: "/etc/hostname"\n}\n',
    );
    mkdirSync(path.join(dir, 'x'), { recursive: true });
    const t = await ask(srv.base, { method: 'GET', path: '/data/plugin/projector/tensor?run=torch%2Fmain&name=evil' });
    expect(t.status).toBe(400);
    expect(JSON.stringify(t.json)).toMatch(/outside the logdir/);
    const m = await ask(srv.base, { method: 'GET', path: '/data/plugin/projector/metadata?run=torch%2Fmain&name=evil' });
    expect(m.status).toBe(400);
    // A symlink inside the logdir that points out of it is refused too.
    symlinkSync('/etc/hostname', path.join(dir, 'x', 'link.tsv'));
    writeFileSync(path.join(dir, 'projector_config.pbtxt'), 'embeddings {\n  tensor_name: "link"\n  tensor_path: "x/link.tsv"\n}\n');
    const l = await ask(srv.base, { method: 'GET', path: '/data/plugin/projector/tensor?run=torch%2Fmain&name=link' });
    expect(l.status).toBe(400);
    expect(JSON.stringify(l.json)).toMatch(/outside the logdir/);
  });
});
