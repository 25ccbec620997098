/**
 * The back-channel logout worker: every instance runs one. Each round claims
 * the due rows of the outbox (exclusively: see the stores), signs a
 * logout_token for each and POSTs it (core/logout.ts deliverDueLogouts).
 * Nothing a receiver does (hang, 500, be down) reaches a person's request:
 * the logout only wrote rows; this loop sends them, in the background.
 */
import type { DeliveryDeps, DeliveryLog } from '../core/logout.js';
import { deliverDueLogouts } from '../core/logout.js';

export interface LogoutDeliveryOptions {
  /** How often the outbox is polled (ms, default 1000). */
  pollMs?: number;
  /** Retry back-off base (ms, default 5000: first retry within 10 s); tests shorten it. */
  retryBaseMs?: number;
  /** After how long a delivery is given up (ms, default a day). */
  giveUpAfterMs?: number;
}

export interface LogoutDeliverySchedule {
  /** Runs a round now (after the one in progress). */
  wake(): void;
  /** Stops polling and waits for the round in progress (at most one fetch timeout). */
  stop(): Promise<void>;
}

export function scheduleLogoutDelivery(
  deps: Omit<DeliveryDeps, 'retryBaseMs' | 'giveUpAfterMs' | 'log'> & { log: DeliveryLog & { error(fields: object, message: string): void } },
  options: LogoutDeliveryOptions = {},
): LogoutDeliverySchedule {
  const pollMs = options.pollMs ?? 1000;
  const roundDeps: DeliveryDeps = {
    ...deps,
    ...(options.retryBaseMs === undefined ? {} : { retryBaseMs: options.retryBaseMs }),
    ...(options.giveUpAfterMs === undefined ? {} : { giveUpAfterMs: options.giveUpAfterMs }),
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const round = async () => {
    for (;;) {
      const result = await deliverDueLogouts(roundDeps);
      if (result.delivered > 0 || result.failed > 0) deps.log.info({ backchannel_logout: result }, 'back-channel logout');
      // A full batch: there may be more due now.
      if (stopped || result.delivered + result.retried + result.failed < (deps.batchSize ?? 20)) return;
    }
  };
  const tick = () => {
    timer = undefined;
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = round()
      .catch((error: unknown) => deps.log.error({ err: error }, 'back-channel logout round failed'))
      .finally(() => {
        running = undefined;
        if (stopped) return;
        if (again) {
          again = false;
          setImmediate(tick);
        } else arm();
      });
  };
  const arm = () => {
    timer = setTimeout(tick, pollMs);
    timer.unref();
  };
  arm();
  return {
    wake() {
      if (stopped) return;
      if (timer !== undefined) clearTimeout(timer);
      tick();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
