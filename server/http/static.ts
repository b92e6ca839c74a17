// The built dashboard (dist/web) at /, with index.html for client-side routes; a hint page when the
// dashboard has not been built yet.
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

const API_PREFIXES = ['/data/', '/api/', '/socket.io/'];

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Trainscope</title>
<style>body{font:16px system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}
code{background:#8882;padding:.1em .3em;border-radius:3px}</style></head>
<body><h1>Trainscope</h1>
<p>The server is running, but the dashboard has not been built yet.</p>
<p>Run <code>npm run build</code> (or start with <code>npm start</code>, which builds when needed) and reload this page.</p>
<p>The data API is available meanwhile: <a href="/data/runs">/data/runs</a>, <a href="/api/status">/api/status</a>.</p>
</body></html>`;

export function staticRoutes(webDir: string): Router {
  const r = Router();
  r.use(express.static(webDir, { index: 'index.html', fallthrough: true, dotfiles: 'ignore' }));
  r.get(/.*/, (req, res, next) => {
    if (API_PREFIXES.some((p) => req.path.startsWith(p))) return next();
    const index = path.join(webDir, 'index.html');
    if (existsSync(index)) {
      res.sendFile(index);
      return;
    }
    res.status(req.path === '/' ? 200 : 404).type('html').send(NOT_BUILT);
  });
  return r;
}
