/**
 * The pictures that `picture` (userinfo, id_token: OIDC Core §5.1) and
 * getLoggedInUser's `portrait` point at: Baidu's `/sys/portrait/item/{portrait}`.
 * Gatehouse keeps no uploaded pictures, so each portrait handle gets a plain
 * silhouette on a background colour drawn from the handle: stable for a user,
 * different between users, and revealing nothing (the handle is a hash of the uid).
 * An SVG is served with a CSP that forbids scripts and every fetch, and nosniff.
 */
import { PORTRAIT_PATH } from '../../core/claims.js';
import type { RouteModule } from '../context.js';

const HANDLE = /^[0-9a-f]{32}$/;

function silhouette(handle: string): string {
  // The hue from the handle's first bytes; fixed saturation and lightness keep every one readable.
  const hue = parseInt(handle.slice(0, 4), 16) % 360;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120" viewBox="0 0 120 120" role="img" aria-label="portrait">` +
    `<rect width="120" height="120" fill="hsl(${hue} 45% 55%)"/>` +
    `<circle cx="60" cy="46" r="22" fill="#fff" fill-opacity="0.9"/>` +
    `<path d="M20 120c4-26 20-40 40-40s36 14 40 40z" fill="#fff" fill-opacity="0.9"/></svg>`
  );
}

export const portraitEndpoint: RouteModule = async (app) => {
  app.get(`${PORTRAIT_PATH}:portrait`, async (request, reply) => {
    const { portrait } = request.params as { portrait: string };
    if (!HANDLE.test(portrait)) return reply.callNotFound();
    return reply
      .header('content-type', 'image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff')
      .send(silhouette(portrait));
  });
};
