import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer: a status, headers and body, or `hang` to never answer (timeout tests). */
export type Scripted = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface Received {
  path: string;
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

/**
 * A real HTTP server on 127.0.0.1 that plays the Slack side: answers in script order per path
 * (then `fallback`), and records every request it got.
 */
export async function startWebhookServer(fallback: Scripted = { status: 200, body: 'ok' }) {
  const scripts = new Map<string, Scripted[]>();
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {}
      const path = req.url ?? '/';
      received.push({ path, at: Date.now(), headers: req.headers, body, json });
      const next = scripts.get(path)?.shift() ?? fallback;
      if (next === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
      res.end(next.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    script(path: string, ...answers: Scripted[]) {
      scripts.set(path, [...(scripts.get(path) ?? []), ...answers]);
    },
    received,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type WebhookServer = Awaited<ReturnType<typeof startWebhookServer>>;
