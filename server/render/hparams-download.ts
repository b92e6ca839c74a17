// The hparams table download (TensorBoard's /download_data): header and rows of the session groups,
// columns kept where columnsVisibility is true (zip semantics: missing entries hide the column),
// as JSON, CSV (Python csv module's dialect) or LaTeX. Pure.
import type { ExperimentJson, HpValue } from './hparams-experiment.ts';
import type { SessionGroupJson } from './hparams-sessions.ts';

type Cell = HpValue | null;

/** Python's repr of a float (0.01, 1.0, 1e-05, 1e+16). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    return x.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

function csvCell(v: Cell): string {
  const s = v === null ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'number' ? pyFloat(v) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Python's "%.3g". */
function g3(x: number): string {
  if (x === 0) return '0';
  const [m, e] = x.toExponential(2).split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 3) return `${m.replace(/\.?0+$/, '')}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return x.toFixed(Math.max(0, 2 - exp)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

function latexCell(v: Cell): string {
  if (v === null) return '-';
  if (typeof v === 'boolean') return `$${v ? 1 : 0}$`;
  if (typeof v === 'string') return v.replace(/_/g, '\\_').replace(/%/g, '\\%');
  if (Number.isNaN(v)) return '$\\mathrm{NaN}$';
  if (!Number.isFinite(v)) return `$${v < 0 ? '-' : '+'}\\infty$`;
  const s = g3(v);
  if (s.includes('e')) {
    const [c, e] = s.split('e');
    return `$${c}\\cdot 10^{${Number(e)}}$`;
  }
  return `$${s}$`;
}

export type DownloadFormat = 'json' | 'csv' | 'latex';

export function downloadTable(x: ExperimentJson, groups: SessionGroupJson[], visibility: boolean[]): { header: string[]; rows: Cell[][] } {
  const keep = <T>(row: T[]): T[] => row.slice(0, visibility.length).filter((_, i) => visibility[i]);
  const header = [...x.hparamInfos.map((h) => h.displayName || h.name), ...x.metricInfos.map((m) => m.displayName || m.name.tag)];
  const rows = groups.map((g) => {
    const row: Cell[] = x.hparamInfos.map((h) => (Object.prototype.hasOwnProperty.call(g.hparams, h.name) ? g.hparams[h.name] : ''));
    for (const m of x.metricInfos) {
      const mv = g.metricValues.find((v) => v.name.group === m.name.group && v.name.tag === m.name.tag);
      row.push(mv ? mv.value : null);
    }
    return keep(row);
  });
  return { header: keep(header), rows };
}

export function renderDownload(t: { header: string[]; rows: Cell[][] }, format: DownloadFormat): { body: string | object; type: string } {
  if (format === 'json') return { body: t, type: 'application/json' };
  if (format === 'csv') {
    const line = (r: Cell[]): string => `${r.map(csvCell).join(',')}\r\n`;
    return { body: line(t.header) + t.rows.map(line).join(''), type: 'text/csv' };
  }
  const top = `\\begin{table}[tbp]\n\\begin{tabular}{${'l'.repeat(t.header.length)}}\n`;
  const head = `${t.header.map(latexCell).join(' & ')} \\\\ \\hline\n`;
  const mid = t.rows.map((r) => `${r.map(latexCell).join(' & ')} \\\\\n`).join('');
  return { body: `${top}${head}${mid}\\hline\n\\end{tabular}\n\\end{table}\n`, type: 'application/x-latex' };
}
