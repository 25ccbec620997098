/** The core's LogoutSender over outboundFetch: Back-Channel Logout 1.0 §2.5 (a form POST; 2xx is success; the body is not read past a few KB). */
import type { LogoutSender, SendResult } from '../../core/logout.js';
import { OutboundRefused, outboundFetch, type OutboundPolicy } from './fetch.js';

export function httpLogoutSender(policy: OutboundPolicy, options: { timeoutMs?: number } = {}): LogoutSender {
  return {
    async postLogoutToken(url: string, logoutToken: string): Promise<SendResult> {
      try {
        const response = await outboundFetch(
          url,
          {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json, text/plain, */*', 'cache-control': 'no-store' },
            body: new URLSearchParams({ logout_token: logoutToken }).toString(),
            timeoutMs: options.timeoutMs ?? 5_000,
            maxBytes: 4096,
            maxRedirects: 0,
          },
          policy,
        );
        return response.status >= 200 && response.status < 300 ? { ok: true, status: response.status } : { ok: false, status: response.status, error: `HTTP ${response.status}` };
      } catch (error) {
        if (error instanceof OutboundRefused) return { ok: false, error: error.message, refused: true };
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
