// Markdown -> sanitised HTML, the way TensorBoard renders text summaries and tag descriptions:
// Markdown (tables, fenced code) then an allow-list sanitiser that ESCAPES any other tag, so raw HTML
// such as <script> shows as text and never executes. Pure: no I/O.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
// Every link becomes an <a>; the sanitiser then drops an unsafe href (javascript: ...), as TensorBoard.
md.validateLink = () => true;

/** TensorBoard's allow-list (plugin_util._ALLOWED_TAGS / _ALLOWED_ATTRIBUTES). */
export const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'ul', 'ol', 'li', 'p', 'pre', 'code', 'blockquote', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'br',
    'strong', 'em', 'a', 'img', 'table', 'thead', 'tbody', 'td', 'tr', 'th',
  ],
  allowedAttributes: { a: ['href', 'title'], img: ['src', 'title', 'alt'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  disallowedTagsMode: 'escape',
  // Escape mode keeps the text of <script>/<style> as visible, inert text.
  nonTextTags: [],
  // TensorBoard's serializer writes attributes in name order.
  transformTags: {
    '*': (tagName, attribs) => ({ tagName, attribs: Object.fromEntries(Object.entries(attribs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) }),
  },
};

/** Unsafe HTML (e.g. several Markdown renderings combined into a table) -> safe HTML. */
export function sanitize(html: string): string {
  // Void tags as HTML writes them (<br>, not <br />); text '<' is already escaped, so only real tags match.
  return sanitizeHtml(html, SANITIZE_OPTIONS).replace(/<(br|hr|img)((?: [^>]*?)?) \/>/g, '<$1$2>');
}

/** Markdown HTML of one string, unsanitised and without the trailing newline (for combining). */
export function markdownToUnsafeHtml(text: string): string {
  return md.render(text).replace(/\n$/, '');
}

export function renderMarkdown(text: string): string {
  return sanitize(markdownToUnsafeHtml(text));
}
