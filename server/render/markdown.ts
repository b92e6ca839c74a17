// Markdown → sanitised HTML, shaped like TensorBoard's plugin_util.markdown_to_safe_html (Python-Markdown with
// the tables and fenced_code extensions, then bleach with a small tag allow-list). Shared by every route that
// renders user-written markdown (scalar/histogram tag descriptions, the text plugin). Pure: no I/O.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

// The tags and attributes TensorBoard's cleaner keeps; anything else is escaped (shown as text), as bleach does.
const ALLOWED_TAGS = [
  'ul', 'ol', 'li', 'p', 'pre', 'code', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'br',
  'strong', 'em', 'a', 'img', 'table', 'thead', 'tbody', 'td', 'tr', 'th',
];
const ALLOWED_ATTRIBUTES: Record<string, string[]> = { a: ['href', 'title'], img: ['src', 'title', 'alt'] };

// Python-Markdown has no strikethrough and no typographic replacements; raw HTML passes to the sanitiser.
const md = new MarkdownIt('default', { html: true, linkify: false, typographer: false }).disable(['strikethrough']);
// Every link becomes an <a>; the sanitiser then drops an unsafe href (javascript: ...), as TensorBoard does.
md.validateLink = () => true;

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
  return md.render(source.replace(/\0/g, '')).replace(/\n+$/, '');
}

/** Sanitises HTML with TensorBoard's allow-list. */
export function safeHtml(unsafe: string): string {
  // Void elements as HTML writes them (<br>, <hr>, <img ...>), not XHTML's "<br />", as TensorBoard does.
  return sanitizeHtml(unsafe, SANITIZE).replace(/<(br|hr|img)((?: [a-z]+="[^"]*")*) \/>/g, '<$1$2>');
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
