/**
 * Opaque, tamper-evident list cursors: base64url(JSON {list, position}) and
 * an HMAC-SHA256 of it under a key of the server. A cursor that was changed,
 * cut, or made for another list is refused (400 problem naming `cursor`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export class CursorError extends Error {}

export class Cursors {
  constructor(private readonly key: Buffer) {}

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }

  encode(list: string, position: unknown): string {
    const body = Buffer.from(JSON.stringify({ l: list, p: position })).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The position of a cursor of `list`; throws CursorError for anything this server did not make for that list. */
  decode(list: string, cursor: string): unknown {
    const [body, tag, extra] = cursor.split('.');
    if (body === undefined || tag === undefined || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]{43}$/.test(tag)) {
      throw new CursorError('cursor is malformed: pass next_cursor exactly as it was answered');
    }
    const expected = this.mac(body);
    const given = Buffer.from(tag, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CursorError('cursor was not issued by this server, or was changed');
    const decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { l?: unknown; p?: unknown };
    if (decoded.l !== list) throw new CursorError(`cursor belongs to another list, not ${list}`);
    return decoded.p;
  }
}
