import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

/**
 * A small static file server for the browser example and its test: URL prefixes mapped to folders, plus
 * files held in memory. It listens on 127.0.0.1 only, serves GET and HEAD, and never leaves a mapped
 * folder (`..` in a URL is refused).
 */

export interface StaticServerOptions {
  /** URL prefix (`/`, `/run/`) → folder; the longest matching prefix wins. */
  folders: Record<string, string>;
  /** URL path → content, served before the folders. */
  files?: Record<string, { body: Uint8Array | string; type: string }>;
  /** Default 0: any free port. */
  port?: number;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.bin': 'application/octet-stream',
  '.f32': 'application/octet-stream',
  '.svg': 'image/svg+xml',
};

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const prefixes = Object.keys(options.folders).sort((a, b) => b.length - a.length);
  const server: Server = createServer((request, response) => {
    const fail = (status: number, message: string) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`${message}\n`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405, 'method not allowed');
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      return fail(400, 'bad URL');
    }
    if (path.endsWith('/')) path += 'index.html';
    const inMemory = options.files?.[path];
    if (inMemory) {
      response.writeHead(200, { 'content-type': inMemory.type, 'cache-control': 'no-store' });
      return response.end(request.method === 'HEAD' ? undefined : inMemory.body);
    }
    const prefix = prefixes.find((p) => path.startsWith(p));
    if (prefix === undefined) return fail(404, 'not found');
    const relative = normalize(path.slice(prefix.length));
    if (relative.startsWith('..') || relative.split(sep).includes('..')) return fail(403, 'forbidden');
    const file = join(options.folders[prefix] as string, relative);
    stat(file).then(
      (info) => {
        if (!info.isFile()) return fail(404, 'not found');
        response.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': info.size,
          'cache-control': 'no-store',
        });
        if (request.method === 'HEAD') return response.end();
        createReadStream(file).pipe(response);
      },
      () => fail(404, 'not found'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
