/**
 * Requests that Node's HTTP parser refuses before Fastify sees them (raw
 * non-ASCII bytes in the request line, a malformed header, headers over
 * Node's limit, a client too slow to send its request): the answer is still a
 * SPEC §4 JSON error, written straight to the socket, which is then closed.
 */
import type { Socket } from 'node:net';
import { errorUri } from './errors.js';

const CASES: Record<string, { status: number; reason: string; description: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', description: 'the request was not received in time' },
  HPE_HEADER_OVERFLOW: { status: 431, reason: 'Request Header Fields Too Large', description: 'the request headers are larger than the server accepts' },
};
const MALFORMED = { status: 400, reason: 'Bad Request', description: 'the request is not valid HTTP/1.1 (request line or headers malformed)' };

export function clientErrorHandler(issuer: string): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, reason, description } = CASES[error.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify({ error: 'invalid_request', error_description: description, error_uri: errorUri(issuer, 'invalid_request') });
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}
