/**
 * Prometheus text exposition for the few series the service exports; kept in-process (no client
 * library) because the set is small and fixed.
 */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Histogram { buckets: number[]; sum: number; count: number }

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly startedAt = Date.now();

  /** Records one answered request. `action` is the surface's action name, `status` the HTTP status. */
  observe(surface: string, action: string, status: number, seconds: number): void {
    const key = `surface="${label(surface)}",action="${label(action)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const hkey = `surface="${label(surface)}",action="${label(action)}"`;
    let h = this.latency.get(hkey);
    if (!h) {
      h = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.latency.set(hkey, h);
    }
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) h.buckets[i]!++;
    h.sum += seconds;
    h.count++;
  }

  render(gauges: { queueDepth: number; running: number; threads: number; utilization: number; jobs: Record<string, number>; inFlight: number }): string {
    const out: string[] = [];
    out.push('# HELP medstruct_requests_total Requests answered, by surface, action and HTTP status.');
    out.push('# TYPE medstruct_requests_total counter');
    for (const [k, v] of this.requests) out.push(`medstruct_requests_total{${k}} ${v}`);
    out.push('# HELP medstruct_request_duration_seconds Time from request to reply, by surface and action.');
    out.push('# TYPE medstruct_request_duration_seconds histogram');
    for (const [k, h] of this.latency) {
      LATENCY_BUCKETS.forEach((b, i) => out.push(`medstruct_request_duration_seconds_bucket{${k},le="${b}"} ${h.buckets[i]}`));
      out.push(`medstruct_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      out.push(`medstruct_request_duration_seconds_sum{${k}} ${h.sum}`);
      out.push(`medstruct_request_duration_seconds_count{${k}} ${h.count}`);
    }
    const gauge = (name: string, help: string, value: number): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
    };
    gauge('medstruct_queue_depth', 'Tasks waiting for a worker thread.', gauges.queueDepth);
    gauge('medstruct_worker_tasks_running', 'Tasks running on worker threads.', gauges.running);
    gauge('medstruct_worker_threads', 'Worker threads in the pool.', gauges.threads);
    gauge('medstruct_worker_utilization', 'Share of worker thread time spent on tasks since start (0..1).', gauges.utilization);
    gauge('medstruct_requests_in_flight', 'HTTP requests being handled.', gauges.inFlight);
    out.push('# HELP medstruct_jobs Async jobs in the store, by status.', '# TYPE medstruct_jobs gauge');
    for (const [status, n] of Object.entries(gauges.jobs)) out.push(`medstruct_jobs{status="${label(status)}"} ${n}`);
    gauge('medstruct_uptime_seconds', 'Seconds since the server started.', (Date.now() - this.startedAt) / 1000);
    return out.join('\n') + '\n';
  }
}
