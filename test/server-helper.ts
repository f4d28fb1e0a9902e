import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createKey, type CreateKeyOptions } from '../src/accounts/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../src/server/index.js';

export interface TestServer extends RunningServer {
  dataDir: string | null;
  /** Every log line the server wrote. */
  logs: string[];
  key(options?: Partial<CreateKeyOptions>): Promise<{ id: string; key: string }>;
  // Replies are arbitrary JSON that each test inspects field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(method: string, path: string, options?: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

/** A server on a free loopback port, on a fresh SQLite folder unless `databaseUrl` is given. */
export async function testServer(options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = options.databaseUrl ? null : mkdtempSync(join(tmpdir(), 'medstruct-server-'));
  const logs: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  const server = await startServer({ threads: 1, port: 0, ...(dataDir ? { dataDir } : {}), logger: { level: 'info', stream }, ...options });
  return {
    ...server, dataDir, logs,
    async key(keyOptions = {}) {
      const created = await createKey(server.db, { name: `test-${Math.random().toString(36).slice(2)}`, ...keyOptions });
      return { id: created.id, key: created.key };
    },
    async call(method, path, callOptions = {}) {
      const headers: Record<string, string> = { ...callOptions.headers };
      if (callOptions.key) headers.authorization = `Bearer ${callOptions.key}`;
      let body: string | undefined = callOptions.raw;
      if (callOptions.body !== undefined) {
        body = JSON.stringify(callOptions.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${server.url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try { parsed = JSON.parse(text); } catch { /* Prometheus text or HTML */ }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async stop() {
      await server.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting');
}
