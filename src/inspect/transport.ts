/**
 * Where `--inspect` sends a run's inspection events (bridge.ts):
 *
 * - `--inspect ws://HOST:PORT`: to a WebSocket inspector server that is already running
 *   (e.g. `createInspectorServer` of `@statelyai/inspect/server`, or your own relay),
 *   through the package's WebSocket inspector (`createWebSocketInspector`): it holds the
 *   events until the socket opens, then sends them in order. Bounded in time: no
 *   connection within `timeoutMs` is an error.
 * - `--inspect` alone: pvlcheck serves the run itself on the loopback interface only
 *   (127.0.0.1): a page that embeds Stately's inspector and feeds it, and a WebSocket that
 *   gives every viewer the whole run from its start, however late it connects. It stops
 *   by itself after `serveMs`.
 */
import { createServer, type Server } from 'node:http';
import { createWebSocketInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { WebSocketServer } from 'ws';

interface AdapterInternals {
  status: 'open' | 'closed';
  ws?: { bufferedAmount: number; readyState: number };
}

/** Sends every event to a running inspector server; resolves when all are on the wire. */
export async function sendToInspector(events: readonly StatelyInspectionEvent[], url: string, timeoutMs = 10_000): Promise<void> {
  const inspector = createWebSocketInspector({ url, autoStart: false, maxDeferredEvents: events.length + 1 });
  const adapter = inspector.adapter as unknown as AdapterInternals & { send(e: StatelyInspectionEvent): void; start(): void; stop(): void };
  for (const e of events) adapter.send(e);
  adapter.start();
  const started = Date.now(); // real-time-ok: a connection timeout
  try {
    for (;;) {
      if (adapter.status === 'open' && adapter.ws && adapter.ws.bufferedAmount === 0) return;
      if (Date.now() - started > timeoutMs) throw new Error(`no inspector answered at ${url} within ${Math.round(timeoutMs / 1000)} s`); // real-time-ok
      await new Promise((r) => setTimeout(r, 20)); // real-time-ok: polling a socket, not the model
    }
  } finally {
    // Let the last frames go out before closing.
    await new Promise((r) => setTimeout(r, 50)); // real-time-ok: the socket's last frames
    adapter.stop();
  }
}

/** The page a browser opens: Stately's inspector in a frame, fed from our WebSocket. */
function bridgePage(wsUrl: string): string {
  return `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>pvlcheck run in the Stately inspector</title>
<style>* { margin: 0; padding: 0; } html, body { height: 100%; } iframe { width: 100%; height: 100%; border: none; }</style></head>
<body>
<iframe id="inspector" src="https://stately.ai/inspect"></iframe>
<script>
  const frame = document.getElementById('inspector');
  const buffer = [];
  let connected = false;
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === '@statelyai.connected') {
      connected = true;
      for (const event of buffer) frame.contentWindow.postMessage(event, '*');
      buffer.length = 0;
    }
  });
  const ws = new WebSocket(${JSON.stringify(wsUrl)});
  ws.onmessage = (m) => {
    const data = JSON.parse(m.data);
    if (connected) frame.contentWindow.postMessage(data, '*');
    else buffer.push(data);
  };
</script>
</body>
</html>
`;
}

export interface Served {
  /** The page to open in a browser. */
  pageUrl: string;
  /** The WebSocket viewers connect to. */
  wsUrl: string;
  /** Viewers that connected so far. */
  viewers(): number;
  /** Resolves when the server has stopped (after `serveMs`, or `stop()`). */
  done: Promise<void>;
  stop(): void;
}

/** Serves the run on 127.0.0.1 (`port` 0: any free port) for `serveMs`, the whole run to every viewer. */
export async function serveRun(events: readonly StatelyInspectionEvent[], port: number, serveMs: number): Promise<Served> {
  const frames = events.map((e) => JSON.stringify(e));
  let wsUrl = '';
  const http: Server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(bridgePage(wsUrl));
  });
  const wss = new WebSocketServer({ server: http });
  let viewers = 0;
  wss.on('connection', (ws) => {
    viewers++;
    for (const f of frames) ws.send(f);
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve());
  });
  const address = http.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  wsUrl = `ws://127.0.0.1:${actual}`;
  let stopTimer: NodeJS.Timeout | null = null;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const stop = (): void => {
    if (stopTimer) clearTimeout(stopTimer);
    stopTimer = null;
    for (const c of wss.clients) c.terminate();
    wss.close();
    http.close(() => finish());
    http.closeAllConnections();
  };
  stopTimer = setTimeout(stop, serveMs); // real-time-ok: how long the server serves viewers
  return { pageUrl: `http://127.0.0.1:${actual}/`, wsUrl, viewers: () => viewers, done, stop };
}
