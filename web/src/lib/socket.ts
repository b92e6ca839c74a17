// The one place that talks socket.io. Connects to the page's origin with auth {token} (see page-token.ts).
import { io, type Socket } from 'socket.io-client';
import type { ClientToServer, ServerToClient } from '../../../shared/protocol.ts';
import { pageToken } from './page-token.ts';

export type DashSocket = Socket<ServerToClient, ClientToServer>;

export function connectSocket(token = pageToken()): DashSocket {
  return io({
    auth: token ? { token } : {},
    // Reconnect forever with backoff; the dashboard resumes with `have` so nothing is lost.
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    transports: ['websocket', 'polling'],
  });
}
