// The PROJECTOR's pure core: PCA against an independent eigen-decomposition (Jacobi), kNN, colour
// mapping, metadata TSV rules, sprite cells, label search, URL state, picking, and UMAP on clusters.
import { describe, expect, it } from 'vitest';
import { colorByColumn, hexToRgb, NEUTRAL, PALETTE } from '../../web/src/lib/projector/colors.ts';
import { knnLabelAgreement, nearestNeighbors } from '../../web/src/lib/projector/knn.ts';
import { parseMetadataTsv, pointLabel } from '../../web/src/lib/projector/metadata.ts';
import { pca } from '../../web/src/lib/projector/pca.ts';
import { coordsToTsv, normalizeCoords, pickNearest } from '../../web/src/lib/projector/screen-pick.ts';
import { searchLabels } from '../../web/src/lib/projector/search.ts';
import { spriteCapacity, spriteCell } from '../../web/src/lib/projector/sprite.ts';
import { runUmap, mulberry32 } from '../../web/src/lib/projector/umap-run.ts';
import { DEFAULT_PROJECTOR_VIEW, defaultColorColumn, parseProjectorView, writeProjectorView } from '../../web/src/lib/projector/url.ts';
import { jacobiEigen, clusters } from './projector-fixtures.ts';

describe('pca', () => {
  it('matches the top eigenvectors of the covariance (Jacobi), up to sign, and explains the variance', () => {
    const { data, n, d } = clusters(400, 12, 4, 3);
    const r = pca(data, n, d, 3);
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
    const cov = Array.from({ length: d }, () => new Float64Array(d));
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a][b] += ((data[i * d + a] - mean[a]) * (data[i * d + b] - mean[b])) / (n - 1);
    const { values, vectors } = jacobiEigen(cov);
    for (let c = 0; c < 3; c++) {
      expect(r.variances[c]).toBeCloseTo(values[c], 3);
      let dot = 0;
      for (let j = 0; j < d; j++) dot += r.components[c * d + j] * vectors[c][j];
      expect(Math.abs(dot)).toBeGreaterThan(0.9999);
    }
    // The coordinates are the centred points on those components.
    for (const i of [0, 17, 399]) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (data[i * d + j] - mean[j]) * r.components[j];
      expect(r.coords[i * 3]).toBeCloseTo(s, 3);
    }
    expect(r.explained[0]).toBeGreaterThan(r.explained[1]);
    expect(r.explained.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
  });
  it('handles fewer dimensions than asked and rejects a wrong size', () => {
    const r = pca(new Float32Array([1, 2, 3, 5, 5, 9]), 3, 2, 3);
    expect(r.coords.length).toBe(3 * 2);
    expect(() => pca(new Float32Array(5), 2, 3, 2)).toThrow(/5 values, expected 2 x 3/);
  });
});

describe('nearest neighbours', () => {
  const data = new Float32Array([0, 0, 1, 0, 0, 2, 3, 3, -1, 0]);
  it('euclidean: nearest first, the point itself excluded', () => {
    const nb = nearestNeighbors(data, 5, 2, 0, 3, 'euclidean');
    expect(nb.map((x) => x.index)).toEqual([1, 4, 2]);
    expect(nb[0].distance).toBeCloseTo(1);
  });
  it('cosine: by angle, not length', () => {
    const v = new Float32Array([1, 0, 10, 0.5, 0, 1, 5, 0]);
    const nb = nearestNeighbors(v, 4, 2, 0, 3, 'cosine');
    expect(nb[0]).toEqual({ index: 3, distance: 0 });
    expect(nb.map((x) => x.index)).toEqual([3, 1, 2]);
    expect(() => nearestNeighbors(v, 4, 2, 9, 3, 'cosine')).toThrow(/point 9/);
  });
  it('label agreement: separated clusters near 1, shuffled labels near chance', () => {
    const { data, n, d, labels } = clusters(300, 2, 3, 8);
    expect(knnLabelAgreement(data, d, labels, 10)).toBeGreaterThan(0.95);
    const rng = mulberry32(3);
    const shuffled = labels.map(() => String(Math.floor(rng() * 3)));
    expect(knnLabelAgreement(data, d, shuffled, 10)).toBeLessThan(0.5);
    expect(n).toBe(300);
  });
});

describe('colours', () => {
  it('categorical: a palette colour per value, most frequent first, and a legend with counts', () => {
    const md = parseMetadataTsv('label\tkind\na\tx\nb\ty\nc\ty\n');
    const m = colorByColumn(md.columns[1], 3);
    expect(m.legend).toEqual({ kind: 'categorical', entries: [{ value: 'y', color: PALETTE[0], count: 2 }, { value: 'x', color: PALETTE[1], count: 1 }], otherCount: 0 });
    expect(Array.from(m.rgb.subarray(0, 3))).toEqual(hexToRgb(PALETTE[1]).map(Math.fround));
  });
  it('class ids (numbers) in numeric order', () => {
    const m = colorByColumn(parseMetadataTsv('7\n10\n2\n7\n').columns[0], 4);
    expect(m.legend.kind === 'categorical' && m.legend.entries.map((e) => e.value)).toEqual(['2', '7', '10']);
  });
  it('more categories than colours: the rare ones are "other", grey', () => {
    const values = Array.from({ length: 30 }, (_, i) => `v${i}`);
    const md = parseMetadataTsv(values.join('\n'));
    const m = colorByColumn(md.columns[0], 30);
    if (m.legend.kind !== 'categorical') throw new Error('expected categorical');
    expect(m.legend.entries).toHaveLength(PALETTE.length - 1);
    expect(m.legend.otherCount).toBe(30 - (PALETTE.length - 1));
    expect(Array.from(m.rgb.subarray(29 * 3))).toEqual(hexToRgb(NEUTRAL).map(Math.fround));
  });
  it('numeric: a scale from min to max, NaN grey; few distinct numbers (class ids) are categories', () => {
    expect(parseMetadataTsv('7\n2\n7\n').columns[0].categories).toEqual(['7', '2']);
    const many = Array.from({ length: 25 }, (_, i) => `x\t${i / 10}`).join('\n');
    const md = parseMetadataTsv(`a\tr\n${many}\nz\t\n`);
    const m = colorByColumn(md.columns[1], 26);
    expect(m.legend).toMatchObject({ kind: 'numeric', min: 0, max: 2.4 });
    expect(m.rgb[0]).not.toBe(m.rgb[3]);
    expect(Array.from(m.rgb.subarray(25 * 3))).toEqual(hexToRgb(NEUTRAL).map(Math.fround));
  });
});

describe('metadata TSV', () => {
  it('one column: labels, no header; several: the first line names them', () => {
    expect(parseMetadataTsv('7\n2\n1\n', 3).columns.map((c) => [c.name, c.values])).toEqual([['label', ['7', '2', '1']]]);
    const md = parseMetadataTsv('word\tcount\ncat\t3\ndog\t\n', 2);
    expect(md.columns.map((c) => c.name)).toEqual(['word', 'count']);
    expect(md.columns[0].categories).toEqual(['cat', 'dog']);
    expect(pointLabel(md, 1)).toBe('dog');
    expect(pointLabel(null, 4)).toBe('4');
  });
  it('says which row is wrong, or that the counts differ', () => {
    expect(() => parseMetadataTsv('a\tb\n1\t2\n3\n')).toThrow(/row 3 has 1 columns, expected 2/);
    expect(() => parseMetadataTsv('1\n2\n', 3)).toThrow(/2 rows but the tensor has 3 points/);
  });
});

describe('sprite cells', () => {
  it('row-major cells, as many per row as fit', () => {
    expect(spriteCell(0, 84, 84, [28, 28])).toEqual({ x: 0, y: 0, w: 28, h: 28 });
    expect(spriteCell(4, 84, 84, [28, 28])).toEqual({ x: 28, y: 28, w: 28, h: 28 });
    expect(spriteCell(9, 84, 84, [28, 28])).toBeNull();
    expect(spriteCell(1, 10, 10, [0, 8])).toBeNull();
    expect(spriteCapacity(144, 144, [8, 8])).toBe(324);
  });
});

describe('search', () => {
  const labels = ['cat-1', 'Dog-2', 'catalog', 'bird'];
  it('substring, case-insensitive', () => {
    const r = searchLabels(labels, 'CAT', false);
    expect(Array.from(r.matches)).toEqual([1, 0, 1, 0]);
    expect(r.count).toBe(2);
  });
  it('regex through RE2, an invalid one reported', () => {
    expect(searchLabels(labels, '^(cat|dog)-\\d$', true).count).toBe(2);
    expect(searchLabels(labels, '(', true).error).toMatch(/invalid regex/);
    expect(searchLabels(labels, '', true).count).toBe(0);
  });
});

describe('URL state', () => {
  it('round-trips, leaves defaults out and keeps other params', () => {
    const v = { ...DEFAULT_PROJECTOR_VIEW, run: 'mnist/relu', method: 'umap' as const, dim: 2 as const, color: 'label', search: 'a|b', regex: true, point: 12, metric: 'euclidean' as const };
    const p = writeProjectorView(v, new URLSearchParams('tab=projector'));
    expect(p.get('tab')).toBe('projector');
    expect(parseProjectorView(p)).toEqual(v);
    expect(writeProjectorView(DEFAULT_PROJECTOR_VIEW, new URLSearchParams()).toString()).toBe('');
    expect(parseProjectorView(new URLSearchParams('ppoint=-3&pdim=7')).point).toBeNull();
  });
  it('default colour: the first small categorical column', () => {
    expect(defaultColorColumn([{ name: 'label', categories: Array.from({ length: 300 }, String) }, { name: 'cluster', categories: ['a', 'b'] }])).toBe('cluster');
    expect(defaultColorColumn([])).toBe('');
  });
});

describe('screen picking and frames', () => {
  it('the nearest point within the radius, else -1', () => {
    const s = new Float32Array([10, 10, 50, 50, 12, 11]);
    expect(pickNearest(s, 11, 11, 5)).toBe(2);
    expect(pickNearest(s, 100, 100, 5)).toBe(-1);
  });
  it('normalizes into [-1, 1] keeping proportions; TSV rows', () => {
    const c = normalizeCoords(new Float32Array([0, 0, 4, 2]), 2);
    expect(Array.from(c)).toEqual([-1, -0.5, 0, 1, 0.5, 0]);
    expect(coordsToTsv(new Float32Array([1, 2, 3, 4]), 2)).toBe('1\t2\n3\t4\n');
  });
});

describe('umap', () => {
  it('lays clusters out apart, reports epochs, and stops when cancelled', async () => {
    const { data, n, d, labels } = clusters(150, 10, 3, 6);
    const seen: number[] = [];
    const out = await runUmap(data, n, d, { dim: 2, epochs: 60 }, { progress: (ph, done) => ph === 'epochs' && seen.push(done) });
    expect(out).not.toBeNull();
    expect(out!.length).toBe(n * 2);
    expect(out!.every(Number.isFinite)).toBe(true);
    expect(seen.at(-1)).toBe(60);
    expect(knnLabelAgreement(out!, 2, labels, 10)).toBeGreaterThan(0.9);
    let chunks = 0;
    const stopped = await runUmap(data, n, d, { dim: 3, epochs: 60 }, { cancelled: () => ++chunks > 2 });
    expect(stopped).toBeNull();
  });
});
