// What a LineChart hands Chart.js for its lines: a dataset per line, or, with many lines on one chart,
// typed arrays stroked in bulk (bulk-lines.ts). Kept per line id, not position, so showing or hiding one
// run recomputes that one line only; a line is recomputed when its data key, the view or its look changes.
import type { ChartDataset } from 'chart.js';
import { BULK_MIN_LINES, type BulkLine } from './bulk-lines.ts';
import { columnsPerLine, pointRadii, visibleArrays, visiblePoints, type LineSpec, type Pt } from './line-data.ts';

export type LineDataset = ChartDataset<'line', Pt[]>;

export interface BuiltLines {
  datasets: LineDataset[];
  bulk: BulkLine[];
  /** Points handed over (after decimation). */
  total: number;
  /** Points held by the non-faint lines (full resolution). */
  fullN: number;
  /** Whether the datasets differ from the last build's (bulk lines aside): Chart.js must update, not just redraw. */
  datasetsChanged: boolean;
}

export class LineDatasets {
  private byId = new Map<string, { ds: LineDataset; key: string }>();
  private bulkById = new Map<string, { line: BulkLine; key: string }>();
  private lastDatasets: LineDataset[] = [];
  private peak = 0;

  /**
   * `cols` = plot width in pixels; lines are min-max decimated to 2 points per column (fewer with many lines).
   * `expectLines`: lines the chart will hold once its runs are in (scalar-lines.ts expectedLines): it is built as it will be.
   */
  build(lines: readonly LineSpec[], xMin: number, xMax: number, cols: number, logY: boolean, expectLines = 0): BuiltLines {
    const viewKey = `${xMin}|${xMax}|${cols}|${logY}`;
    const datasets: LineDataset[] = [];
    const bulk: BulkLine[] = [];
    const count = Math.max(lines.length, expectLines);
    const inBulk = count >= BULK_MIN_LINES;
    const seen = new Set<string>();
    const many = count > 12;
    const lineCols = columnsPerLine(cols, count);
    let total = 0;
    let fullN = 0;
    let rebuilt = false;
    lines.forEach((l, i) => {
      const key = `${l.key}|${viewKey}|${lineCols}|${l.color}|${many}|${l.dashed}`;
      seen.add(l.id);
      if (!l.faint) fullN += l.n;
      // The faint raw line behind a smoothed one gets half the columns.
      const c = l.faint ? lineCols / 2 : lineCols;
      // A band's fill and the line it fills to stay datasets (Chart.js' filler draws the band).
      if (inBulk && !l.fill && lines[i + 1]?.fill !== '-1') {
        let b = this.bulkById.get(l.id);
        if (!b || b.key !== key) {
          b = { key, line: { id: l.id, ...visibleArrays(l, xMin, xMax, c, logY, 2), color: l.color, width: 1, dash: l.dashed ? [4, 3] : [] } };
          this.bulkById.set(l.id, b);
        }
        bulk.push(b.line);
        total += b.line.n;
        return;
      }
      let e = this.byId.get(l.id);
      if (!e) this.byId.set(l.id, (e = { ds: { data: [] } as unknown as LineDataset, key: '' }));
      if (e.key !== key) {
        const d = e.ds;
        d.label = l.label;
        const pts = visiblePoints(l, xMin, xMax, c, logY, 2);
        d.data = pts;
        // Without gaps, Chart.js can skip splitting the line into segments.
        d.spanGaps = !pts.some((p) => Number.isNaN(p.y));
        d.borderColor = l.color;
        // Hairlines rasterize much faster in software rendering: thin lines when many are overlaid.
        d.borderWidth = l.faint ? 1 : many ? 1 : 1.6;
        d.borderDash = l.dashed ? [4, 3] : [];
        // A point with no drawn neighbour (e.g. a series of one point) would be invisible as a line: a dot.
        d.pointRadius = l.faint ? 0 : pointRadii(pts);
        d.pointBackgroundColor = l.color;
        d.fill = l.fill ?? false;
        d.backgroundColor = l.fillColor ?? l.color;
        d.order = l.faint ? 2 : 1;
        e.key = key;
        rebuilt = true;
      }
      datasets.push(e.ds);
      total += e.ds.data.length;
    });
    // Lines no longer drawn are kept while the chart holds no more lines than at its peak: a run filter
    // typed and cleared again finds its lines computed (the held memory never exceeds the peak's).
    this.peak = Math.max(this.peak, seen.size);
    for (const m of [this.byId, this.bulkById]) {
      if (m.size <= this.peak) continue;
      for (const id of m.keys()) if (!seen.has(id) && m.delete(id) && m.size <= this.peak) break;
    }
    const prev = this.lastDatasets;
    const datasetsChanged = rebuilt || prev.length !== datasets.length || datasets.some((d, i) => d !== prev[i]);
    this.lastDatasets = datasets;
    return { datasets, bulk, total, fullN, datasetsChanged };
  }
}
