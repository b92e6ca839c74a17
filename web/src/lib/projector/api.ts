// The projector plugin's routes (server/http/projector-routes.ts, TensorBoard's shapes).
import { authHeaders } from '../page-token.ts';

export interface EmbeddingInfo {
  tensorName?: string;
  tensorPath?: string;
  metadataPath?: string;
  tensorShape?: number[];
  sprite?: { imagePath?: string; singleImageDim?: number[] };
}

const q = (route: string, params: Record<string, string>) => `/data/plugin/projector/${route}?${new URLSearchParams(params)}`;

async function get(url: string): Promise<Response> {
  const res = await fetch(url, { headers: authHeaders() });
  if (!res.ok) throw new Error(`${url.split('?')[0]}: HTTP ${res.status} ${(await res.text().catch(() => '')).slice(0, 300)}`.trim());
  return res;
}

export async function fetchProjectorRuns(): Promise<string[]> {
  return (await (await get('/data/plugin/projector/runs')).json()) as string[];
}

export async function fetchEmbeddings(run: string): Promise<EmbeddingInfo[]> {
  const body = (await (await get(q('info', { run }))).json()) as { embeddings?: EmbeddingInfo[] };
  return body.embeddings ?? [];
}

/** The tensor as float32 rows; its shape from /info, or [rows, bytes / 4 / rows] when only rows are known. */
export async function fetchTensor(run: string, name: string): Promise<Float32Array> {
  const buf = await (await get(q('tensor', { run, name }))).arrayBuffer();
  if (buf.byteLength % 4 !== 0) throw new Error(`tensor "${name}": ${buf.byteLength} bytes is not a float32 array`);
  return new Float32Array(buf);
}

export async function fetchMetadata(run: string, name: string): Promise<string> {
  return (await get(q('metadata', { run, name }))).text();
}

export function spriteUrl(run: string, name: string): string {
  return q('sprite_image', { run, name });
}
