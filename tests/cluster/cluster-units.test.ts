// The cluster's pure parts: stream entries, the one-delivery merge of stream and disk, run states that
// never go back, job names and decisions, and the flags of `serve --redis` and `worker`.
import { execFileSync } from 'node:child_process';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../server/logs/records.ts';
import { PointDedup, StreamOrder } from '../../server/cluster/dedup.ts';
import { attemptDecision, jobIdOf, parseJobData, runOfJobId } from '../../server/cluster/job.ts';
import { parseRedisUrl } from '../../server/cluster/redis-url.ts';
import { RunRegistry } from '../../server/cluster/run-registry.ts';
import { decodeEntry, recordsEntry, statusEntry } from '../../server/cluster/wire.ts';
import { workerSettings } from '../../server/cli/worker.ts';
import { serveConfig } from '../../server/cli/serve.ts';

const asBuffers = (fields: (string | Buffer)[]) => fields.map((f) => (typeof f === 'string' ? Buffer.from(f) : f));
const scalar = (tag: string, step: number): LogRecord => ({ kind: 'scalar', tag, step, wallTime: 1000 + step, value: step / 10 });

describe('live stream entries', () => {
  it('round-trip records (scalars, histograms, others) and statuses', () => {
    const records: LogRecord[] = [
      scalar('loss', 1),
      scalar('acc', 1),
      { kind: 'histogram', tag: 'w', step: 1, wallTime: 1001, buckets: [[0, 1, 3], [1, 2, 4]] },
      { kind: 'text', tag: 'note', step: 1, wallTime: 1001, text: 'hi' },
      scalar('loss', 2),
    ];
    const e = decodeEntry(asBuffers(recordsEntry('s/relu', 7, records)));
    expect(e).toEqual({ type: 'records', run: 's/relu', seq: 7, records });
    const info = { name: 's/relu', source: 'trainer' as const, group: 's', status: { state: 'running' as const }, startedBy: 'abc' };
    expect(decodeEntry(asBuffers(statusEntry(info)))).toEqual({ type: 'status', run: 's/relu', info });
  });

  it('refuses malformed entries with a reason', () => {
    expect(() => decodeEntry(asBuffers(['t', 'rec', 'r', 'x', 's', '-1', 'd', Buffer.from('zz')]))).toThrow(/sequence/);
    expect(() => decodeEntry(asBuffers(['t', 'rec', 'r', 'x', 's', '0', 'd', Buffer.from('not v8')]))).toThrow(/undecodable|blocks|records/);
    expect(() => decodeEntry(asBuffers(['t', 'st', 'r', 'x', 'd', JSON.stringify({ name: 'y', source: 'trainer', group: '.' })]))).toThrow(/malformed status/);
    expect(() => decodeEntry(asBuffers(['t', 'zz', 'r', 'x', 'd', '1']))).toThrow(/unknown entry type/);
    const bad = recordsEntry('x', 0, [scalar('a', 1)]);
    // A scalars block whose tag index points past its tag list.
    const blocks = v8.deserialize(bad[7] as Buffer);
    blocks[0].tags = [];
    bad[7] = v8.serialize(blocks);
    expect(() => decodeEntry(asBuffers(bad))).toThrow(/out of range/);
  });
});

describe('one delivery from two sources (stream and disk)', () => {
  it('merges two prefixes of a run into the longer one, in order, whichever comes first', () => {
    const all = Array.from({ length: 20 }, (_, i) => [scalar('loss', i + 1), scalar('acc', i + 1)]).flat();
    const d = new PointDedup();
    const got: LogRecord[] = [];
    got.push(...d.filter('r', all.slice(0, 10), true)); // stream: steps 1-5
    got.push(...d.filter('r', all.slice(0, 16), true)); // disk: steps 1-8 (1-5 again)
    got.push(...d.filter('r', all.slice(10, 14), true)); // stream: steps 6-7 (already held)
    got.push(...d.filter('r', all.slice(14, 40), true)); // stream: 8-20
    got.push(...d.filter('r', all, true)); // disk: everything again
    expect(got).toEqual(all);
  });

  it('keeps image samples of one step, and lets non-cluster runs rewind', () => {
    const d = new PointDedup();
    const img = (step: number, sample: number): LogRecord => ({ kind: 'image', tag: 'i', step, sample, wallTime: 0, width: 1, height: 1, data: new Uint8Array() });
    expect(d.filter('r', [img(1, 0), img(1, 1)], true)).toHaveLength(2);
    expect(d.filter('r', [img(1, 1), img(2, 0)], true)).toEqual([img(2, 0)]);
    expect(d.filter('local', [scalar('a', 5), scalar('a', 1)], false)).toHaveLength(2);
    // Once known as a cluster run, it is deduped from what it already has (marks followed: last = 1).
    expect(d.filter('local', [scalar('a', 1), scalar('a', 2)], true)).toEqual([scalar('a', 2)]);
  });

  it('accepts a run stream only while contiguous from its first batch', () => {
    const o = new StreamOrder();
    expect([0, 1, 2].map((s) => o.accept('a', s))).toEqual([true, true, true]);
    expect(o.accept('a', 4)).toBe(false); // batch 3 lost
    expect(o.accept('a', 5)).toBe(false); // disk only from now on
    expect(o.contiguous('a')).toBe(false);
    expect(o.accept('late', 9)).toBe(false); // joined mid-run
    expect(o.contiguous('b')).toBe(true);
  });
});

describe('run registry', () => {
  it('never moves a run backwards, and the first end wins', () => {
    const r = new RunRegistry();
    const at = (state: 'queued' | 'running' | 'finished' | 'failed' | 'stopped') => ({ name: 'x', source: 'trainer' as const, group: '.', status: { state } });
    expect(r.apply(at('running'))).toBe(true);
    expect(r.apply(at('queued'))).toBe(false);
    expect(r.apply(at('failed'))).toBe(true);
    expect(r.apply(at('stopped'))).toBe(false);
    expect(r.apply(at('running'))).toBe(false);
    expect(r.get('x')?.status?.state).toBe('failed');
  });
});

describe('jobs', () => {
  it('maps run names to BullMQ ids and back', () => {
    for (const n of ['a', 'sweep-2/relu', '123', 'x,y=z@w']) {
      expect(jobIdOf(n)).not.toContain(':');
      expect(runOfJobId(jobIdOf(n))).toBe(n);
    }
    expect(runOfJobId('other')).toBeNull();
  });

  it('checks job data with the TRAIN spec schema', () => {
    expect(() => parseJobData({ name: 'a', group: '.', spec: { dataset: 'nope' } })).toThrow(/malformed run job/);
    const ok = parseJobData({ name: 'a', group: '.', spec: { dataset: 'spiral', layers: [4], learningRate: 0.1, batchSize: 8, epochs: 1, activation: 'relu', retry: true } });
    expect(ok.spec.retry).toBe(true);
    expect(ok.spec.samples).toBe(1000); // defaults as for TRAIN
  });

  it('fails a job whose worker died, or trains it once more when asked', () => {
    expect(attemptDecision(0, false)).toBe('train');
    expect(attemptDecision(1, false)).toBe('fail');
    expect(attemptDecision(1, undefined)).toBe('fail');
    expect(attemptDecision(1, true)).toBe('retry');
    expect(attemptDecision(2, true)).toBe('fail');
  });
});

describe('flags', () => {
  it('checks --redis URLs', () => {
    expect(parseRedisUrl('redis://h:6379')).toBe('redis://h:6379');
    expect(() => parseRedisUrl('http://h')).toThrow(/redis:\/\//);
    expect(() => parseRedisUrl('nonsense')).toThrow(/URL/);
  });

  it('worker flags', () => {
    const base = { redis: 'redis://127.0.0.1:6379', logdir: 'logs', concurrency: '2', backend: 'wasm', lockMs: '30000' };
    expect(workerSettings(base)).toMatchObject({ concurrency: 2, backend: 'wasm', lockMs: 30000 });
    expect(() => workerSettings({ ...base, redis: undefined })).toThrow(/--redis is required/);
    expect(() => workerSettings({ ...base, concurrency: '0' })).toThrow(/--concurrency/);
    expect(() => workerSettings({ ...base, lockMs: '10' })).toThrow(/--lock-ms/);
    expect(() => workerSettings({ ...base, backend: 'tpu' })).toThrow(/--backend/);
  });

  it('serve --redis and --local-training', () => {
    const o = { logdir: 'logs', port: '0', host: '127.0.0.1', reload_interval: '1', backend: 'auto' };
    expect(serveConfig(o).redis).toBeUndefined();
    expect(serveConfig({ ...o, redis: 'redis://r:6379', localTraining: true })).toMatchObject({ redis: 'redis://r:6379', localTraining: true });
    expect(() => serveConfig({ ...o, redis: 'localhost:6379' })).toThrow(/--redis/);
  });
});

describe('without --redis', () => {
  it('loads no Redis code (ioredis, BullMQ and the adapter load only with --redis)', () => {
    // One process: the CLI and the app first, then the cluster module (the probe must see it load).
    const script = `
      const M = (await import('node:module')).default;
      const redisModules = () => Object.keys(M._cache).filter((k) => /[\\/](ioredis|bullmq|@socket\.io[\\/]redis-streams-adapter)[\\/]/.test(k)).length;
      await import('./server/cli/index.ts');
      await import('./server/app.ts');
      const before = redisModules();
      await import('./server/cluster/cluster-server.ts');
      console.log(JSON.stringify([before, redisModules()]));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
    });
    const [before, after] = JSON.parse(out.trim().split('\n').pop()!) as number[];
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
  }, 180_000);
});
