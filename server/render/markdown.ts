// Markdown → sanitised HTML, shaped like TensorBoard's plugin_util.markdown_to_safe_html (Python-Markdown with
// the tables and fenced_code extensions, then bleach with a small tag allow-list). Shared by every route that
// renders user-written markdown (scalar/histogram tag descriptions, the text plugin). Pure: no I/O.
import { createRequire } from 'node:module';
import type MarkdownIt from 'markdown-it';
import type sanitizeHtml from 'sanitize-html';

// markdown-it and sanitize-html (with postcss and htmlparser2) take ~0.1-0.3 s to load: required on the
// first markdown actually rendered, not at the server's start (most logs have no descriptions).
const require = createRequire(import.meta.url);
let libs: { md: InstanceType<typeof MarkdownIt>; sanitize: typeof sanitizeHtml } | undefined;
function markdownLibs(): { md: InstanceType<typeof MarkdownIt>; sanitize: typeof sanitizeHtml } {
  if (libs) return libs;
  const MarkdownItCtor = require('markdown-it') as typeof MarkdownIt;
  // Python-Markdown has no strikethrough and no typographic replacements; raw HTML passes to the sanitiser.
  const md = new MarkdownItCtor('default', { html: true, linkify: false, typographer: false }).disable(['strikethrough']);
  // Every link becomes an <a>; the sanitiser then drops an unsafe href (javascript: ...), as TensorBoard does.
  md.validateLink = () => true;
  libs = { md, sanitize: require('sanitize-html') as typeof sanitizeHtml };
  return libs;
}

// The tags and attributes TensorBoard's cleaner keeps; anything else is escaped (shown as text), as bleach does.
const ALLOWED_TAGS = [
  'ul', 'ol', 'li', 'p', 'pre', 'code', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'br',
  'strong', 'em', 'a', 'img', 'table', 'thead', 'tbody', 'td', 'tr', 'th',
];
const ALLOWED_ATTRIBUTES: Record<string, string[]> = { a: ['href', 'title'], img: ['src', 'title', 'alt'] };

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: ALLOWED_ATTRIBUTES,
  allowedSchemes: ['http', 'https', 'mailto'],
  disallowedTagsMode: 'escape',
  // Escape mode keeps the text of <script>/<style> as visible, inert text (as bleach), instead of dropping it.
  nonTextTags: [],
  // TensorBoard's serializer writes attributes in alphabetical order.
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: sortedAttribs(attribs) }),
    img: (tagName, attribs) => ({ tagName, attribs: sortedAttribs(attribs) }),
  },
};

function sortedAttribs(a: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  return Object.fromEntries(Object.keys(a).sort().map((k) => [k, a[k]]));
}

/** Unsafe HTML for one markdown document (no trailing newline, as Python-Markdown), null bytes dropped. */
export function markdownToUnsafeHtml(source: string): string {
  return markdownLibs().md.render(source.replace(/\0/g, '')).replace(/\n+$/, '');
}

/** Sanitises HTML with TensorBoard's allow-list. */
export function safeHtml(unsafe: string): string {
  // Void elements as HTML writes them (<br>, <hr>, <img ...>), not XHTML's "<br />", as TensorBoard does.
  return markdownLibs().sanitize(unsafe, SANITIZE).replace(/<(br|hr|img)((?: [a-z]+="[^"]*")*) \/>/g, '<$1$2>');
}

/** The same sanitiser under the name the text plugin uses for tables it combined itself. */
export const sanitize = safeHtml;

/** Renders markdown to HTML that is safe to put in the page. */
export function renderMarkdown(source: string): string {
  return safeHtml(markdownToUnsafeHtml(source));
}

/**
 * Several markdown documents combined into one safe HTML document (sanitised once, after `combine`), e.g. the
 * cells of a text-plugin table.
 */
export function renderMarkdowns(sources: string[], combine: (htmls: string[]) => string): string {
  return safeHtml(combine(sources.map(markdownToUnsafeHtml)));
}
