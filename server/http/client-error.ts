// Requests Node's HTTP parser refuses (an oversized URL or header block, malformed syntax) get a short
// answer with a reason instead of a silently dropped connection.
import type { Duplex } from 'node:stream';

/** The raw HTTP response for a parser error code. */
export function clientErrorResponse(code: string | undefined): string {
  const [status, text, reason] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [414, 'URI Too Long', 'request line or headers larger than the server accepts (16 KB): shorten the URL or query']
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request took too long to arrive']
        : [400, 'Bad Request', `malformed HTTP request (${code ?? 'parse error'})`];
  const body = JSON.stringify({ error: reason });
  return (
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (socket.writable && !(socket as { _httpMessage?: unknown })._httpMessage) {
    socket.end(clientErrorResponse(err.code));
  } else {
    socket.destroy();
  }
}
