// The dashboard's state and its socket, made before the rest of the page's code runs: main.ts imports
// this module first, so the socket's handshake is under way while the app's modules (Chart.js, the
// components) are evaluated and mounted, instead of starting after them.
import { markOnce } from './lib/page-marks.ts';
import { adoptPageToken } from './lib/page-token.ts';
import { connectSocket } from './lib/socket.ts';
import { Dashboard } from './lib/state/dashboard.svelte.ts';

markOnce('main');
adoptPageToken(); // before anything reads or rewrites the URL
export const dash = new Dashboard();
dash.attach(connectSocket());
