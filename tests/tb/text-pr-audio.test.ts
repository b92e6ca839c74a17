// Text, PR curves and audio against TensorBoard 2.21's recorded answers on the golden logdir
// (both loaders recorded the same answers for these routes), plus the inert-<script> check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../server/render/markdown.ts';
import { textToHtml } from '../../server/render/text-plugin.ts';
import { ask, goldenRoutes, loadGolden, startGoldenServer, type GoldenServer } from './golden.ts';

const golden = loadGolden();

/**
 * The one normalisation: TensorBoard lists a run's text tags in its internal map order (not insertion
 * or name order); both lists are compared sorted.
 */
function normalise(route: string, json: unknown): unknown {
  if (route !== '/data/plugin/text/tags' || !json || typeof json !== 'object') return json;
  return Object.fromEntries(Object.entries(json as Record<string, string[]>).map(([k, v]) => [k, [...v].sort()]));
}
const ALL = { scalars: Infinity, histograms: Infinity, images: Infinity, text: Infinity, audio: Infinity, pr_curves: Infinity };
let srv: GoldenServer;

beforeAll(async () => {
  srv = await startGoldenServer({ samplesPerPlugin: ALL });
}, 90_000);
afterAll(async () => {
  await srv?.close();
});

describe.each(['/data/plugin/text/tags', '/data/plugin/text/text', '/data/plugin/pr_curves/tags', '/data/plugin/pr_curves/pr_curves', '/data/plugin/audio/tags', '/data/plugin/audio/audio'])(
  'TensorBoard parity: %s',
  (route) => {
    const recorded = goldenRoutes(golden, route);
    it('has recorded answers', () => expect(recorded.length).toBeGreaterThan(0));
    it.each(recorded.map((r) => [r.path, r] as const))('%s', async (_p, r) => {
      const ours = await ask(srv.base, r);
      expect(ours.status).toBe(r.status);
      expect(ours.type).toBe(r.type);
      expect(normalise(route, ours.json)).toEqual(normalise(route, r.json));
    });
  },
);

describe('individualAudio', () => {
  const recorded = goldenRoutes(golden, '/data/plugin/audio/individualAudio');
  it.each(recorded.map((r) => [r.path, r] as const))('%s: same bytes and type as TensorBoard', async (_p, r) => {
    const ours = await ask(srv.base, r);
    expect(ours.status).toBe(200);
    expect(ours.type).toBe(r.type);
    expect(ours.bytes).toBe(r.bytes);
    expect(ours.sha256).toBe(r.sha256);
  });
  it('refuses a mime type TensorBoard does not serve, and a bad key', async () => {
    const r = recorded[0];
    const bad = await ask(srv.base, { method: 'GET', path: r.path.replace(/content_type=[^&]*/, 'content_type=text%2Fhtml') });
    expect(bad.status).toBe(400);
    expect((await ask(srv.base, { method: 'GET', path: '/data/plugin/audio/individualAudio?blob_key=zzz&content_type=audio%2Fwav' })).status).toBe(400);
  });
});

describe('text rendering', () => {
  it('renders <script> inert (escaped), keeping the Markdown around it', () => {
    const html = renderMarkdown('**bold** <script>alert(1)</script> <img src=x onerror=alert(1)>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/onerror/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<strong>bold</strong>');
  });
  it('makes tables of 1-D and 2-D string tensors and slices higher ranks with a warning', () => {
    expect(textToHtml([2], ['a', '*b*'])).toBe('<table>\n<tbody>\n<tr>\n<td><p>a</p></td>\n</tr>\n<tr>\n<td><p><em>b</em></p></td>\n</tr>\n</tbody>\n</table>');
    const three = textToHtml([2, 1, 2], ['x', 'y', 'z', 'w']);
    expect(three).toMatch(/^<p><strong>Warning:<\/strong> This text summary contained data of dimensionality 3/);
    expect(three).toContain('<td><p>x</p></td>\n<td><p>y</p></td>');
    expect(three).not.toContain('<p>z</p>');
    expect(textToHtml([], ['<b>x</b>'], false)).toBe('&lt;b&gt;x&lt;/b&gt;');
  });
  it('lists text tags in write order, exactly as TensorBoard\'s Python loader does', async () => {
    const tb = goldenRoutes(loadGolden('load_fast_false'), '/data/plugin/text/tags')[0];
    expect((await ask(srv.base, tb)).json).toEqual(tb.json);
  });
  // Inputs and TensorBoard 2.21's plugin_util.markdown_to_safe_html outputs, recorded with its Python.
  const TB_MARKDOWN: [string, string][] = [
    ["| a | b |\n|---|---|\n| 1 | 2 |", "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>"],
    ["```\ncode <x>\n```", "<pre><code>code &lt;x&gt;\n</code></pre>"],
    ["[l](http://x.y \"t\") ![i](p.png) [j](javascript:alert(1))", "<p><a href=\"http://x.y\" title=\"t\">l</a> <img alt=\"i\" src=\"p.png\"> <a>j</a></p>"],
    ["> quote\n\n---\n\nline  \nbreak", "<blockquote>\n<p>quote</p>\n</blockquote>\n<hr>\n<p>line<br>\nbreak</p>"],
    ["a\u0000b", "<p>ab</p>"],
    ["<a href=\"http://ok\" onclick=\"x\">k</a> <span>s</span>", "<p><a href=\"http://ok\">k</a> &lt;span&gt;s&lt;/span&gt;</p>"],
  ];
  it.each(TB_MARKDOWN)('renders %j as TensorBoard does', (input, tb) => {
    expect(textToHtml([], [input])).toBe(tb);
  });
  it('without Markdown, sanitises raw cells like TensorBoard (allowed tags survive)', () => {
    expect(textToHtml([], ['a & <strong>b</strong> <i>c</i> **d**'], false)).toBe('a &amp; <strong>b</strong> &lt;i&gt;c&lt;/i&gt; **d**');
    expect(textToHtml([2], ['<em>x</em>', 'y<script>z</script>'], false)).toBe(
      '<table>\n<tbody>\n<tr>\n<td><em>x</em></td>\n</tr>\n<tr>\n<td>y&lt;script&gt;z&lt;/script&gt;</td>\n</tr>\n</tbody>\n</table>',
    );
  });
  it('answers every entry of a text tag, not just the first few', async () => {
    const r = goldenRoutes(golden, '/data/plugin/text/text').find((x) => x.path.includes('tf1'))!;
    const ours = await ask(srv.base, r);
    expect((ours.json as unknown[]).length).toBe(12);
  });
});

describe('pr_curves requests', () => {
  it('takes several runs at once, and refuses a missing run or tag', async () => {
    const ours = await ask(srv.base, { method: 'GET', path: '/data/plugin/pr_curves/pr_curves?run=tbx%2Fmain&run=torch%2Fmain&tag=pr' });
    expect(Object.keys(ours.json as object)).toEqual(['tbx/main', 'torch/main']);
    const one = goldenRoutes(golden, '/data/plugin/pr_curves/pr_curves').find((x) => x.path.includes('torch'))!;
    expect((ours.json as Record<string, unknown>)['torch/main']).toEqual((one.json as Record<string, unknown>)['torch/main']);
    expect((await ask(srv.base, { method: 'GET', path: '/data/plugin/pr_curves/pr_curves?tag=pr' })).status).toBe(400);
    expect((await ask(srv.base, { method: 'GET', path: '/data/plugin/pr_curves/pr_curves?run=tf1&tag=pr' })).status).toBe(400);
  });
});
