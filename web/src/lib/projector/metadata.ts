// The projector's metadata TSV, read as TensorBoard's projector reads it: one column = labels only, no
// header; two or more columns = the first line names them. Each column is typed numeric (every non-empty
// cell a number) or categorical, for colouring and the legend.
export interface MetadataColumn {
  name: string;
  values: string[];
  /** Numbers of a numeric column (NaN for empty cells); null for a categorical one. */
  numbers: Float64Array | null;
  /** Distinct values of a categorical column, in first-seen order (null when numeric). */
  categories: string[] | null;
}

export interface Metadata {
  columns: MetadataColumn[];
  /** Rows read (should equal the tensor's point count). */
  rows: number;
}

/** Throws a readable Error when the metadata does not fit the tensor (`points` rows). */
export function parseMetadataTsv(text: string, points?: number): Metadata {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return { columns: [], rows: 0 };
  const width = lines[0].split('\t').length;
  const header = width > 1 ? lines.shift()!.split('\t') : ['label'];
  const cells: string[][] = header.map(() => []);
  lines.forEach((line, r) => {
    const parts = line.split('\t');
    if (parts.length !== header.length) {
      throw new Error(`metadata row ${r + 1 + (width > 1 ? 1 : 0)} has ${parts.length} columns, expected ${header.length}`);
    }
    parts.forEach((v, c) => cells[c].push(v));
  });
  if (points !== undefined && lines.length !== points) {
    throw new Error(`metadata has ${lines.length} rows but the tensor has ${points} points`);
  }
  return { columns: header.map((name, c) => typedColumn(name || `column ${c + 1}`, cells[c])), rows: lines.length };
}

/** A numeric column with at most this many distinct values is coloured as categories. */
export const MAX_NUMERIC_CATEGORIES = 20;

export function typedColumn(name: string, values: string[]): MetadataColumn {
  const numbers = new Float64Array(values.length);
  let numeric = values.length > 0;
  let seen = 0;
  for (let i = 0; i < values.length && numeric; i++) {
    const v = values[i].trim();
    if (v === '') {
      numbers[i] = NaN;
      continue;
    }
    const x = Number(v);
    if (Number.isNaN(x)) numeric = false;
    else {
      numbers[i] = x;
      seen++;
    }
  }
  const categories: string[] = [];
  const known = new Set<string>();
  for (const v of values) if (!known.has(v)) (known.add(v), categories.push(v));
  // Few distinct numbers (class ids such as MNIST's digits) read better as categories.
  if (numeric && seen > 0 && categories.length > MAX_NUMERIC_CATEGORIES) return { name, values, numbers, categories: null };
  return { name, values, numbers: null, categories };
}

/** The label shown for a point: the first column (TensorBoard's default "label by"), else its index. */
export function pointLabel(md: Metadata | null, i: number): string {
  const col = md?.columns[0];
  return col ? col.values[i] ?? String(i) : String(i);
}
