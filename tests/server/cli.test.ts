import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../server/cli/index.ts';
import { serveConfig, webBuildStale, type ServeOptions } from '../../server/cli/serve.ts';
import { displayUrl, isLoopbackHost } from '../../server/config.ts';
import { exposureWarning } from '../../server/main.ts';
import { removeDir, tempDir } from './helpers.ts';

const defaults: ServeOptions = { logdir: 'logs', port: '6006', host: '127.0.0.1', reload_interval: '1', backend: 'auto' };
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});

describe('serve flags', () => {
  it('maps TensorBoard-style flags to the app config', () => {
    const c = serveConfig({
      ...defaults,
      port: '7007',
      bind_all: true,
      reload_interval: '0.5',
      samples_per_plugin: 'scalars=500,images=all',
      maxRuns: '3',
      authToken: 'long-enough-token',
      demo: true,
      backend: 'wasm',
      training: false,
    });
    expect(c).toMatchObject({
      port: 7007,
      host: '0.0.0.0',
      reloadIntervalSec: 0.5,
      maxRuns: 3,
      authToken: 'long-enough-token',
      demo: true,
      backend: 'wasm',
      training: false,
    });
    expect(c.samplesPerPlugin).toMatchObject({ scalars: 500, images: Infinity });
    expect(path.isAbsolute(c.logdir)).toBe(true);
    expect(serveConfig(defaults)).toMatchObject({ host: '127.0.0.1', port: 6006, training: true, demo: false });
  });

  it('names the bad flag', () => {
    expect(() => serveConfig({ ...defaults, port: '70000' })).toThrow(/--port/);
    expect(() => serveConfig({ ...defaults, reload_interval: 'soon' })).toThrow(/--reload_interval/);
    expect(() => serveConfig({ ...defaults, backend: 'tpu' })).toThrow(/--backend/);
    expect(() => serveConfig({ ...defaults, samples_per_plugin: 'scalars=lots' })).toThrow(/--samples_per_plugin/);
    expect(() => serveConfig({ ...defaults, authToken: 'short' })).toThrow(/--auth-token/);
  });

  it('warns only when exposed beyond loopback', () => {
    expect(exposureWarning('127.0.0.1', false)).toBeNull();
    expect(exposureWarning('localhost', false)).toBeNull();
    expect(exposureWarning('::1', false)).toBeNull();
    expect(exposureWarning('0.0.0.0', false)).toMatch(/WARNING.*--auth-token/);
    expect(exposureWarning('192.168.1.5', true)).toMatch(/WARNING/);
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(displayUrl('0.0.0.0', 6006)).toBe('http://localhost:6006/');
    expect(displayUrl('::1', 80)).toBe('http://[::1]:80/');
  });

  it('has serve (default), train and export commands with the documented flags', () => {
    const p = buildProgram();
    const names = p.commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(['serve', 'train', 'export']));
    const serve = p.commands.find((c) => c.name() === 'serve')!;
    const flags = serve.options.map((o) => o.long);
    for (const f of ['--logdir', '--port', '--host', '--bind_all', '--reload_interval', '--samples_per_plugin', '--max-runs', '--auth-token', '--demo', '--backend', '--build-if-needed']) {
      expect(flags).toContain(f);
    }
  });
});

describe('--build-if-needed staleness', () => {
  it('is stale when index.html is missing or older than a source file', async () => {
    const root = await tempDir();
    dirs.push(root);
    const web = path.join(root, 'dist', 'web');
    await mkdir(path.join(root, 'web', 'src'), { recursive: true });
    await mkdir(web, { recursive: true });
    await writeFile(path.join(root, 'web', 'src', 'main.ts'), 'x');
    expect(await webBuildStale(web, root)).toBe(true);
    await writeFile(path.join(web, 'index.html'), '<html>');
    const old = new Date(Date.now() - 60_000);
    await utimes(path.join(root, 'web', 'src', 'main.ts'), old, old);
    await utimes(path.join(root, 'web', 'src'), old, old);
    expect(await webBuildStale(web, root)).toBe(false);
    await utimes(path.join(web, 'index.html'), new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect(await webBuildStale(web, root)).toBe(true);
  });
});
