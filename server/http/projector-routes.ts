// Projector plugin (TensorBoard's /data/plugin/projector/*) for the embeddings add_embedding writes:
// runs with a projector_config.pbtxt, their embeddings, a tensor as float32 bytes, its metadata TSV
// and sprite image. Asset paths that leave the logdir are refused (400) and logged.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { embeddingsOf, parsePbtxt, resolveAsset, tsvToFloat32, type EmbeddingJson } from '../render/projector.ts';
import type { HttpDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { sendJson } from './json.ts';
import { parseQuery, runParam } from './params.ts';

const CONFIG = 'projector_config.pbtxt';
/** Largest config / asset file served (bytes). */
const MAX_FILE = 256 * 1024 * 1024;
const NameQuery = z.object({ run: runParam, name: z.string({ error: 'name is required' }).min(1).max(1024) });
const RunQuery = z.object({ run: runParam });

function readBounded(file: string): Buffer {
  const st = statSync(file);
  if (!st.isFile()) throw new HttpError(400, `"${path.basename(file)}" not found, or is not a file`);
  if (st.size > MAX_FILE) throw new HttpError(413, `"${path.basename(file)}" is larger than ${MAX_FILE} bytes`);
  return readFileSync(file);
}

export function projectorRoutes(d: HttpDeps): Router {
  const r = Router();
  const logdir = d.config.logdir;
  const runDir = (run: string): string => (run === '.' ? logdir : path.join(logdir, run));
  const configOf = (run: string): { dir: string; embeddings: EmbeddingJson[] } => {
    if (!d.store.hasRun(run)) throw new HttpError(400, `Unknown run: "${run}"`);
    const dir = runDir(run);
    const file = path.join(dir, CONFIG);
    if (!existsSync(file)) throw new HttpError(400, `Unknown run: "${run}"`);
    try {
      return { dir, embeddings: embeddingsOf(parsePbtxt(readBounded(file).toString('utf8'))) };
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, `${CONFIG} of run "${run}": ${(e as Error).message}`);
    }
  };
  const asset = (run: string, dir: string, p: string | undefined, what: string, name: string): string => {
    if (!p) throw new HttpError(400, `No ${what} file found for tensor "${name}" in the config file of run "${run}"`);
    const abs = resolveAsset(logdir, dir, p);
    if (!abs) {
      d.config.logger.warn(`projector: run "${run}" names ${what} path "${p}" outside the logdir; refused`);
      throw new HttpError(400, `${what} path "${p}" is outside the logdir`);
    }
    if (!existsSync(abs)) throw new HttpError(400, `"${p}" not found, or is not a file`);
    // A symlink inside the logdir must not lead out of it either.
    if (!resolveAsset(realpathSync(logdir), path.dirname(realpathSync(abs)), path.basename(realpathSync(abs)))) {
      d.config.logger.warn(`projector: run "${run}" names ${what} path "${p}", a link to outside the logdir; refused`);
      throw new HttpError(400, `${what} path "${p}" is outside the logdir`);
    }
    return abs;
  };
  const embedding = (run: string, name: string): { dir: string; e: EmbeddingJson } => {
    const c = configOf(run);
    const e = c.embeddings.find((x) => x.tensorName === name);
    if (!e) throw new HttpError(400, `No tensor "${name}" in the projector config of run "${run}"`);
    return { dir: c.dir, e };
  };

  r.get('/data/plugin/projector/runs', (_req, res) => {
    sendJson(res, [...d.store.runs()].sort().filter((run) => existsSync(path.join(runDir(run), CONFIG))));
  });
  r.get('/data/plugin/projector/info', (req, res) => {
    const { run } = parseQuery(RunQuery, req);
    const c = configOf(run);
    const embeddings = c.embeddings.map((e) => {
      if (e.tensorShape || !e.tensorPath) return e;
      try {
        const abs = resolveAsset(logdir, c.dir, e.tensorPath);
        if (!abs || !resolveAsset(realpathSync(logdir), path.dirname(realpathSync(abs)), path.basename(realpathSync(abs)))) return e;
        return { ...e, tensorShape: tsvToFloat32(readBounded(abs).toString('utf8')).shape };
      } catch {
        return e;
      }
    });
    sendJson(res, { embeddings });
  });
  r.get('/data/plugin/projector/tensor', (req, res) => {
    const { run, name } = parseQuery(NameQuery, req);
    const { dir, e } = embedding(run, name);
    const file = asset(run, dir, e.tensorPath, 'tensor', name);
    let bytes: Buffer;
    try {
      bytes = tsvToFloat32(readBounded(file).toString('utf8')).bytes;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, (err as Error).message);
    }
    res.type('application/octet-stream').send(bytes);
  });
  r.get('/data/plugin/projector/metadata', (req, res) => {
    const { run, name } = parseQuery(NameQuery, req);
    const { dir, e } = embedding(run, name);
    const file = asset(run, dir, e.metadataPath, 'metadata', name);
    res.type('text/plain').send(readBounded(file).toString('utf8'));
  });
  r.get('/data/plugin/projector/sprite_image', (req, res) => {
    const { run, name } = parseQuery(NameQuery, req);
    const { dir, e } = embedding(run, name);
    const file = asset(run, dir, e.sprite?.imagePath, 'sprite image', name);
    const ext = path.extname(file).toLowerCase();
    const type = ext === '.png' ? 'image/png' : ext === '.jpg' || ext === '.jpeg' ? 'image/jpeg' : ext === '.gif' ? 'image/gif' : 'application/octet-stream';
    res.type(type).send(readBounded(file));
  });
  return r;
}
