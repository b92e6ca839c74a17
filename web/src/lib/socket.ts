// The one place that talks socket.io. Connects to the page's origin with auth {token} (see page-token.ts).
import { io, type Socket } from 'socket.io-client';
import type { ClientToServer, ServerToClient } from '../../../shared/protocol.ts';
import { wireParser } from '../../../shared/wire-parser.ts';
import { pageToken } from './page-token.ts';

export type DashSocket = Socket<ServerToClient, ClientToServer>;

const CLIENT_ID_KEY = 'trainscope.clientId';

/**
 * This tab's id, kept in sessionStorage so it survives reloads and reconnects: the server gives the runs
 * a tab starts to it (only it may stop them). Random, 32 characters of [A-Za-z0-9_-] (HandshakeAuthSchema).
 */
export function tabClientId(store: Pick<Storage, 'getItem' | 'setItem'> | null = typeof sessionStorage === 'undefined' ? null : sessionStorage): string {
  const saved = store?.getItem(CLIENT_ID_KEY);
  if (saved && /^[A-Za-z0-9_-]{16,64}$/.test(saved)) return saved;
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
  try {
    store?.setItem(CLIENT_ID_KEY, id);
  } catch {
    // storage full or blocked: the id lasts as long as the page
  }
  return id;
}

export function connectSocket(token = pageToken(), clientId = tabClientId()): DashSocket {
  return io({
    parser: wireParser,
    auth: token ? { token, clientId } : { clientId },
    // Reconnect forever with backoff; the dashboard resumes with `have` so nothing is lost.
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    transports: ['websocket', 'polling'],
  });
}
