/** An app's redirect_uri on loopback that records what the browser POSTs to it (form_post tests). */
import { createServer, type Server } from 'node:http';

export interface Receiver {
  url: string;
  /** The form bodies received, decoded, in order. */
  posts: URLSearchParams[];
  /** Resolves with the next POST (or one already received and not yet taken). */
  next(): Promise<URLSearchParams>;
  close(): Promise<void>;
}

export async function startReceiver(path = '/cb'): Promise<Receiver> {
  const posts: URLSearchParams[] = [];
  let taken = 0;
  const waiters: Array<() => void> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST') {
        posts.push(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        waiters.splice(0).forEach((wake) => wake());
      }
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>received</title><h1 id="received">received</h1>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${path}`,
    posts,
    async next() {
      while (posts.length <= taken) await new Promise<void>((resolve) => waiters.push(resolve));
      return posts[taken++]!;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
