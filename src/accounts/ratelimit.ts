/**
 * Per-key, per-action QPS limits as token buckets (burst = one second's worth). Buckets live in each
 * instance's memory: behind a load balancer of N instances a key gets at most N × its QPS.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** True when the call may go ahead; `qps` undefined or 0 means unlimited. */
  take(keyId: string, action: string, qps: number | undefined, now = performance.now()): boolean {
    if (!qps || qps <= 0) return true;
    const id = `${keyId}\u0000${action}`;
    const bucket = this.buckets.get(id) ?? { tokens: qps, at: now };
    bucket.tokens = Math.min(qps, bucket.tokens + ((now - bucket.at) / 1000) * qps);
    bucket.at = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/** The QPS that applies to a key and action: the key's own, else the server's default for the action or `*`. */
export function qpsFor(keyLimits: Record<string, number>, defaults: Record<string, number>, action: string): number | undefined {
  return keyLimits[action] ?? keyLimits['*'] ?? defaults[action] ?? defaults['*'];
}
