// The projector's embeddings (what add_embedding / tensorboardX write): projector_config.pbtxt parsed
// (protobuf text format, the subset those writers use), asset paths resolved against the config's
// directory and refused when they leave the logdir, and TSV tensors turned into float32 bytes.
// Pure apart from nothing: the route reads the files.
import path from 'node:path';
import { dict } from '../../shared/dict.ts';

type PbtValue = string | number | boolean | PbtMessage;
export interface PbtMessage {
  [field: string]: PbtValue[];
}

/** Protobuf text format -> fields with repeated values (numbers, strings, enums as strings, messages). */
export function parsePbtxt(text: string): PbtMessage {
  let i = 0;
  const n = text.length;
  const skip = (): void => {
    while (i < n) {
      const c = text[i];
      if (c === '#') while (i < n && text[i] !== '\n') i++;
      else if (/[\s,;]/.test(c)) i++;
      else break;
    }
  };
  const fail = (why: string): never => {
    throw new Error(`projector config: ${why} at offset ${i}`);
  };
  const ident = (): string => {
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i, i + 256));
    if (!m) fail('expected a field name');
    i += m![0].length;
    return m![0];
  };
  const str = (): string => {
    const q = text[i++];
    let out = '';
    while (i < n && text[i] !== q) {
      if (text[i] === '\\') {
        const e = text[++i];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'" };
        out += map[e] ?? e;
        i++;
      } else out += text[i++];
    }
    if (i >= n) fail('unterminated string');
    i++;
    return out;
  };
  const message = (close: string | null): PbtMessage => {
    const msg: PbtMessage = Object.create(null) as PbtMessage;
    for (;;) {
      skip();
      if (i >= n) {
        if (close) fail(`missing "${close}"`);
        return msg;
      }
      if (close && text[i] === close) {
        i++;
        return msg;
      }
      const name = ident();
      skip();
      let value: PbtValue;
      if (text[i] === ':') {
        i++;
        skip();
      }
      if (text[i] === '{' || text[i] === '<') {
        const c = text[i] === '{' ? '}' : '>';
        i++;
        value = message(c);
      } else if (text[i] === '"' || text[i] === "'") {
        value = str();
        skip();
        while (text[i] === '"' || text[i] === "'") value += str();
      } else {
        const m = /^[^\s,;{}#]+/.exec(text.slice(i, i + 256));
        if (!m) fail(`no value for "${name}"`);
        i += m![0].length;
        const num = Number(m![0]);
        value = m![0] === 'true' ? true : m![0] === 'false' ? false : Number.isNaN(num) ? m![0] : num;
      }
      (msg[name] ??= []).push(value);
    }
  };
  return message(null);
}

export interface EmbeddingJson {
  tensorName?: string;
  tensorPath?: string;
  metadataPath?: string;
  bookmarksPath?: string;
  tensorShape?: number[];
  sprite?: { imagePath?: string; singleImageDim?: number[] };
}

const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The config's embeddings in TensorBoard's JSON (camelCase, only fields that are set). */
export function embeddingsOf(cfg: PbtMessage): EmbeddingJson[] {
  const toJson = (m: PbtMessage): Record<string, unknown> => {
    const out = dict<unknown>();
    for (const [k, vs] of Object.entries(m)) {
      const conv = vs.map((v) => (typeof v === 'object' ? toJson(v) : v));
      const repeated = k === 'single_image_dim' || k === 'tensor_shape';
      out[camel(k)] = repeated ? conv : conv[conv.length - 1];
    }
    return out;
  };
  return (cfg.embeddings ?? []).filter((e): e is PbtMessage => typeof e === 'object').map((e) => toJson(e) as EmbeddingJson);
}

/** An asset path of the config, absolute; undefined when it leaves the logdir. */
export function resolveAsset(logdir: string, configDir: string, p: string): string | undefined {
  const abs = path.resolve(configDir, p);
  const root = path.resolve(logdir);
  const rel = path.relative(root, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return abs;
}

/** A TSV of numbers (one row per line; blank lines skipped) -> shape and row-major float32 bytes. */
export function tsvToFloat32(text: string): { shape: [number, number]; bytes: Buffer } {
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const cols = rows.length > 0 ? rows[0].split('\t').length : 0;
  const out = new Float32Array(rows.length * cols);
  rows.forEach((line, r) => {
    const cells = line.split('\t');
    if (cells.length !== cols) throw new Error(`tensor TSV row ${r + 1} has ${cells.length} values, expected ${cols}`);
    cells.forEach((c, j) => {
      const v = Number(c);
      if (c.trim() === '' || Number.isNaN(v) && c.trim().toLowerCase() !== 'nan') throw new Error(`tensor TSV row ${r + 1}: "${c}" is not a number`);
      out[r * cols + j] = v;
    });
  });
  return { shape: [rows.length, cols], bytes: Buffer.from(out.buffer) };
}
