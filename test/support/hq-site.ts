import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';

const dist = join(import.meta.dirname, '../../hq/dist');
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/**
 * The HQ app is static files with relative paths: any web host serves it from any folder; here a
 * few lines of node:http serve `hq/dist` under /hq/ on 127.0.0.1.
 */
export async function serveHq(): Promise<{ url: string; close: () => void }> {
  const site = createServer((req, res) => {
    const path = join(
      dist,
      decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
        .replace(/^\/hq\//, '/')
        .replace(/\/$/, '/index.html'),
    );
    if (!path.startsWith(dist) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(site.address() as { port: number }).port}`, close: () => site.close() };
}
