// Projector benchmark (npm run bench:projector): 10,000 points of 128 dimensions (10 Gaussian clusters).
//  1. PCA to 3-D (web/src/lib/projector/pca.ts, what the tab's worker runs);
//  2. UMAP to 2-D (umap-run.ts over umap-js): time to the neighbour graph, to a layout moving less than 10% / 5%
//     of its RMS radius per CHUNK_EPOCHS epochs (centred and scaled), and to the last epoch (stable: umap-js
//     anneals its learning rate to 0 there);
//  3. frames per second while the 3-D view turns (a pointer move every frame after a real button press) in headless chromium (the real
//     server and tab on a logdir holding the embedding; requestAnimationFrame callbacks counted in the page).
// Prints figures; asserts nothing. Steps 1-2 run in Node: the same code and the same V8 as the worker.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../server/app.ts';
import { silentLogger } from '../server/config.ts';
import { EventWriter } from '../server/logs/event-writer.ts';
import { projectorConfigText, tensorTsv } from '../server/training/projector-writer.ts';
import { ensureWebBuild, launchChromium, WEB_DIR } from '../tests/e2e/helpers.ts';
import { knnLabelAgreement } from '../web/src/lib/projector/knn.ts';
import { pca } from '../web/src/lib/projector/pca.ts';
import { CHUNK_EPOCHS, mulberry32, runUmap } from '../web/src/lib/projector/umap-run.ts';

const N = 10_000;
const D = 128;
const K = 10;
const ROTATE_SEC = 5;

function dataset(): { data: Float32Array; labels: string[] } {
  const rng = mulberry32(9);
  const gauss = () => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
  const centres = Array.from({ length: K }, () => Float32Array.from({ length: D }, () => gauss() * 1.5));
  const data = new Float32Array(N * D);
  const labels: string[] = [];
  for (let i = 0; i < N; i++) {
    labels.push(String(i % K));
    for (let j = 0; j < D; j++) data[i * D + j] = centres[i % K][j] + gauss();
  }
  return { data, labels };
}

/** The layout centred, scaled to unit RMS distance from its centre. */
function standardize(c: Float32Array, dim: number): Float32Array {
  const n = c.length / dim;
  const mean = new Float64Array(dim);
  for (let i = 0; i < c.length; i++) mean[i % dim] += c[i] / n;
  let ss = 0;
  for (let i = 0; i < c.length; i++) ss += (c[i] - mean[i % dim]) ** 2;
  const rms = Math.sqrt(ss / n) || 1;
  return c.map((v, i) => (v - mean[i % dim]) / rms);
}

async function layoutFigures(data: Float32Array, labels: string[]): Promise<void> {
  let t = performance.now();
  const pc0 = process.cpuUsage();
  const p = pca(data, N, D, 3);
  const pcu = process.cpuUsage(pc0);
  console.log(`PCA ${N} x ${D} -> 3-D: ${(performance.now() - t).toFixed(0)} ms wall, ${((pcu.user + pcu.system) / 1000).toFixed(0)} ms CPU (variance explained ${p.explained.map((x) => (100 * x).toFixed(1) + '%').join(', ')})`);

  t = performance.now();
  const cpu0 = process.cpuUsage();
  const cpuSec = () => {
    const u = process.cpuUsage(cpu0);
    return (u.user + u.system) / 1e6;
  };
  let graphMs = 0;
  let graphCpu = 0;
  /** First epoch (and wall / CPU time) at which the layout moved less than each share of its radius per chunk. */
  const THRESHOLDS = [0.1, 0.05];
  const stable = new Map<number, { epoch: number; ms: number; cpu: number }>();
  let lastRel = NaN;
  let prev: Float32Array | null = null;
  let epoch = 0;
  let total = 0;
  const coords = await runUmap(data, N, D, { dim: 2 }, {
    progress: (phase, done, all) => {
      if (phase === 'neighbours') (graphMs = performance.now() - t), (graphCpu = cpuSec());
      else (epoch = done), (total = all);
    },
    snapshot: (raw) => {
      // Centred and scaled to unit RMS radius first: UMAP's layout keeps spreading out as a whole, which
      // changes nothing a user sees (the view is fitted to the frame).
      const c = standardize(raw, 2);
      if (prev) {
        let moved = 0;
        for (let i = 0; i < c.length; i++) moved += Math.abs(c[i] - prev[i]);
        const rel = moved / c.length;
        for (const th of THRESHOLDS) if (rel < th && !stable.has(th)) stable.set(th, { epoch, ms: performance.now() - t, cpu: cpuSec() });
        lastRel = rel;
      }
      prev = c;
    },
  });
  const allMs = performance.now() - t;
  const allCpu = cpuSec();
  console.log(`UMAP CPU time (this process; the load above stretches wall time): neighbour graph ${graphCpu.toFixed(1)} s, all epochs ${allCpu.toFixed(1)} s`);
  for (const th of THRESHOLDS) {
    const st = stable.get(th);
    console.log(`  layout moves < ${(100 * th).toFixed(1)}% of its radius per ${CHUNK_EPOCHS} epochs: ` + (st ? `epoch ${st.epoch}, ${(st.ms / 1000).toFixed(1)} s wall, ${st.cpu.toFixed(1)} s CPU` : 'not reached'));
  }
  // umap-js anneals its learning rate linearly to 0 at the last epoch: the layout settles only then.
  console.log(`UMAP ${N} x ${D} -> 2-D: neighbour graph ${(graphMs / 1000).toFixed(1)} s; stable layout (the last of ${total} epochs, ` +
    `the last ${CHUNK_EPOCHS} before it moving ${(100 * lastRel).toFixed(1)}% of the radius) ${(allMs / 1000).toFixed(1)} s wall`);
  // Quality check on a sample (kNN over all 10,000 points is quadratic).
  const idx = Array.from({ length: 2000 }, (_, i) => i * 5);
  const sub = new Float32Array(idx.length * 2);
  idx.forEach((i, k) => ((sub[2 * k] = coords![2 * i]), (sub[2 * k + 1] = coords![2 * i + 1])));
  console.log(`UMAP 10-NN label agreement (2,000-point sample): ${knnLabelAgreement(sub, 2, idx.map((i) => labels[i]), 10).toFixed(3)} (random: ~${(1 / K).toFixed(2)})`);
}

async function rotateFps(data: Float32Array): Promise<void> {
  await ensureWebBuild();
  const logdir = mkdtempSync(path.join(os.tmpdir(), 'trainscope-bench-projector-'));
  const run = path.join(logdir, 'bench');
  mkdirSync(run);
  writeFileSync(path.join(run, 'tensor.tsv'), tensorTsv(data, N, D));
  writeFileSync(path.join(run, 'labels.tsv'), Array.from({ length: N }, (_, i) => `${i % K}\n`).join(''));
  writeFileSync(path.join(run, 'projector_config.pbtxt'), projectorConfigText([{ tensorName: 'bench', tensorPath: 'tensor.tsv', metadataPath: 'labels.tsv' }]));
  const w = await EventWriter.open(run);
  w.scalar('x', 1, 0);
  await w.close();
  const app = await createApp({ logdir, port: 0, host: '127.0.0.1', training: false, webDir: WEB_DIR, logger: silentLogger, reloadIntervalSec: 1 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = performance.now();
    await page.goto(`${app.url()}?tab=projector&prun=bench`);
    const canvas = page.locator('[data-testid=projector-canvas]');
    await canvas.waitFor({ timeout: 120_000 });
    await page.locator('[data-testid=projector-summary]').waitFor({ timeout: 120_000 });
    console.log(`page to first 3-D PCA frame of ${N} points (fetch, parse, worker PCA): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const box = (await canvas.boundingBox())!;
    const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
    // A real button press (OrbitControls captures the pointer), then one synthetic move per animation frame
    // in the page: every frame turns the view and is drawn. The evaluate is a string: tsx would wrap a
    // function's inner arrows in a helper the page does not have.
    const before = await canvas.screenshot();
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    const frames = (await page.evaluate(`new Promise((resolve) => {
      const canvas = document.querySelector('[data-testid=projector-canvas]');
      const frames = [];
      let k = 0;
      const t0 = performance.now();
      (function tick(t) {
        if (t) frames.push(t);
        if (performance.now() - t0 > ${ROTATE_SEC * 1000}) return resolve(frames);
        k++;
        canvas.dispatchEvent(new PointerEvent('pointermove', { pointerId: 1, pointerType: 'mouse', isPrimary: true, buttons: 1, bubbles: true,
          clientX: ${cx} + 200 * Math.sin(k / 20), clientY: ${cy} + 40 * Math.cos(k / 30) }));
        requestAnimationFrame(tick);
      })();
    })`)) as number[];
    await page.mouse.up();
    const k = frames.length;
    const turned = !before.equals(await canvas.screenshot());
    const span = frames.filter((t) => t >= frames[0]);
    const dts = span.slice(1).map((t, i) => t - span[i]).sort((a, b) => a - b);
    const fps = (1000 * (span.length - 1)) / (span[span.length - 1] - span[0]);
    console.log(`rotating the 3-D view (${N} points, a pointer move every frame for ${ROTATE_SEC} s, ${k} moves): ${fps.toFixed(1)} frames/s; frame time median ${dts[Math.floor(dts.length / 2)].toFixed(1)} ms, p95 ${dts[Math.floor(dts.length * 0.95)].toFixed(1)} ms; the view ${turned ? 'turned' : 'did NOT turn'}`);
    const gl = await page.evaluate(
      "(() => { const c = document.createElement('canvas').getContext('webgl2'); const e = c && c.getExtension('WEBGL_debug_renderer_info'); return e ? String(c.getParameter(e.UNMASKED_RENDERER_WEBGL)) : 'unknown'; })()",
    );
    console.log(`(WebGL renderer: ${gl})`);
  } finally {
    await browser.close();
    await app.close();
    rmSync(logdir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (${os.cpus().length} cores)`);
  const { data, labels } = dataset();
  if (!process.argv.includes('--fps-only')) await layoutFigures(data, labels);
  await rotateFps(data);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
