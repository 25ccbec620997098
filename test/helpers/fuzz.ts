/**
 * Pieces shared by the HTTP fuzzers (test/security/http-fuzz.test.ts and
 * faults/http-fuzz-round.test.ts): a seeded generator, raw bytes in a
 * header or path, and a request sent with node:http (which, unlike fetch,
 * sends what it is given: any method, raw bytes, a body on any method).
 */
import { Agent, request as httpRequest } from 'node:http';

/** mulberry32: a seeded generator, so a failure can be replayed with the same seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latin-1 text whose bytes are the UTF-8 of `text`: node:http sends it as raw bytes. */
export const raw = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function send(base: URL, agent: Agent, req: FuzzRequest): Promise<Answer | Error> {
  return new Promise((resolve) => {
    let outgoing;
    try {
      outgoing = httpRequest({ host: base.hostname, port: base.port, agent, method: req.method, path: req.path, headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', resolve);
      });
    } catch (error) {
      // The client library refused to send it (e.g. a character it will not put in a header): not a server fault.
      resolve(error as Error);
      return;
    }
    outgoing.on('error', resolve);
    outgoing.end(req.body);
  });
}
