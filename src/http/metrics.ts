/**
 * Prometheus metrics at /metrics (SPEC §1), with prom-client. Counted once per
 * request in the onResponse hook; label children are cached by key so the hot
 * path does no label hashing. Routes are Fastify's patterns (never raw URLs:
 * an attacker must not be able to grow the label set).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

type Child = { inc(): void };
type Timer = { observe(value: number): void };

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly duration: Histogram<'route'>;
  private readonly errors: Counter<'code'>;
  private readonly requestChildren = new Map<string, Child>();
  private readonly durationChildren = new Map<string, Timer>();
  private readonly errorChildren = new Map<string, Child>();

  /** `processMetrics`: CPU, memory, event-loop lag of this process (one per running server, not per test app). */
  constructor(options: { processMetrics?: boolean } = {}) {
    this.requests = new Counter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'Time from request to response, by route pattern',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.errors = new Counter({
      name: 'gatehouse_oauth_errors_total',
      help: 'OAuth errors answered, by error code (SPEC §4)',
      labelNames: ['code'],
      registers: [this.registry],
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }

  observe(route: string, method: string, status: number, seconds: number, errorCode: string | undefined): void {
    const key = `${route}\u0000${method}\u0000${status}`;
    let child = this.requestChildren.get(key);
    if (child === undefined) {
      child = this.requests.labels(route, method, String(status));
      this.requestChildren.set(key, child);
    }
    child.inc();
    let timer = this.durationChildren.get(route);
    if (timer === undefined) {
      timer = this.duration.labels(route);
      this.durationChildren.set(route, timer);
    }
    timer.observe(seconds);
    if (errorCode !== undefined) {
      let error = this.errorChildren.get(errorCode);
      if (error === undefined) {
        error = this.errors.labels(errorCode);
        this.errorChildren.set(errorCode, error);
      }
      error.inc();
    }
  }
}
