// server/render/markdown.ts against what TensorBoard 2.21's markdown_to_safe_html produced (recorded with
// /work/.venv-tb while writing this; the golden responses hold the tag-description and text cases).
import { describe, expect, it } from 'vitest';
import { renderMarkdown, renderMarkdowns } from '../../server/render/markdown.ts';
import { goldenRoutes, loadGolden } from './golden.ts';

describe('renderMarkdown', () => {
  it('matches TensorBoard on the golden descriptions and notes', () => {
    const tags = goldenRoutes(loadGolden(), '/data/plugin/scalars/tags')[0].json as Record<string, Record<string, { description: string }>>;
    expect(renderMarkdown('Training **loss** (cross-entropy)')).toBe(tags['tf2/train'].loss.description);
    const notes = goldenRoutes(loadGolden(), '/data/plugin/text/text').find((r) => r.path.includes('tag=notes'))!.json as { text: string }[];
    expect(renderMarkdown('# Step 0\n\n*emphasis* and <script>alert(1)</script> `code`')).toBe(notes[0].text);
  });

  it('matches TensorBoard on tables, code, breaks, images, links and escapes', () => {
    const cases: [string, string][] = [
      ['| a | b |\n|---|---|\n| 1 | 2 |', '<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>'],
      ['```\ncode\n```', '<pre><code>code\n</code></pre>'],
      ['a & b <c', '<p>a &amp; b &lt;c</p>'],
      ['line1\nline2', '<p>line1\nline2</p>'],
      ['a  \nb\n\n---\n\n![i](http://x/y.png "t")', '<p>a<br>\nb</p>\n<hr>\n<p><img alt="i" src="http://x/y.png" title="t"></p>'],
      ['<b>x</b>', '<p>&lt;b&gt;x&lt;/b&gt;</p>'],
    ];
    for (const [md, html] of cases) expect(renderMarkdown(md), md).toBe(html);
  });

  it('never lets script or event handlers through', () => {
    const out = renderMarkdown('<img src=x onerror=alert(1)> [x](javascript:alert(1)) <a href="javascript:alert(1)">y</a>');
    expect(out).not.toMatch(/onerror|href="javascript/);
    expect(out).toContain('<img src="x">');
    expect(renderMarkdowns(['*a*', '<script>x</script>'], (h) => h.join('\n'))).toBe('<p><em>a</em></p>\n&lt;script&gt;x&lt;/script&gt;');
  });
});
