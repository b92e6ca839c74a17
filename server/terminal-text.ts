// Text printed on the server's terminal comes partly from outside: run directory names, tags and paths
// read from a logdir, run names and patterns sent by clients. A name holding ESC sequences could
// recolour or clear the terminal, retitle the window, move the cursor or, with some terminals, write
// files or run commands; a bidi override can make a line read differently from what it holds. So every
// control character is shown escaped (\x1b, \u202e) instead of being sent raw.

// C0 controls, DEL, C1 controls (U+0080-U+009F: 0x9b is a one-byte CSI), Unicode line/paragraph
// separators and the bidi embedding/override/isolate controls.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_KEEP_NEWLINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * The text with every control character escaped (tab kept). keepNewlines: keep "\n" for multi-line
 * messages written by the server itself (stack traces); otherwise a name holding a newline could forge
 * a log line, so it is escaped too.
 */
export function terminalSafe(text: string, keepNewlines = false): string {
  return text.replace(keepNewlines ? CONTROL_KEEP_NEWLINES : CONTROL, escapeChar);
}
