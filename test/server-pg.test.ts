import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPackage, StoreRateLimiter, usageStatement } from '../src/accounts/index.js';
import { freshPgDatabase } from './pg-helper.js';
import { testServer, waitFor, type TestServer } from './server-helper.js';

const NOTE = '患者诉头痛、头晕3天，伴恶心，无呕吐。';

describe.skipIf(!process.env.DATABASE_URL)('two instances on one PostgreSQL database', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    const url = await freshPgDatabase(process.env.DATABASE_URL!, 'medstruct_server_pg_test');
    [a, b] = await Promise.all([testServer({ databaseUrl: url }), testServer({ databaseUrl: url })]);
    await waitFor(async () => a.ctx.state.ready && b.ctx.state.ready, 60_000);
  });
  afterAll(async () => { await Promise.all([a?.stop(), b?.stop()]); });

  it('spend a prepaid package exactly once between them', async () => {
    const { id, key } = await a.key({ payg: false });
    await addPackage(a.db, { key: id, calls: 10, months: 1 });
    const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).call('POST', '/v1/ner', { key, body: { text: NOTE } })));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 403)).toHaveLength(20);
    expect(replies.find((r) => r.status === 403)!.body.error.code).toBe('QUOTA_EXHAUSTED');
    const statement = await usageStatement(b.db, new Date().toISOString().slice(0, 10), id);
    expect(statement.calls[id]).toEqual({ ner: 10 });
  });

  it('hold a key to its QPS together, not each', async () => {
    // The counters directly, through each instance's own connection pool: one window admits exactly its calls.
    const [la, lb] = [a.ctx.limiter, b.ctx.limiter] as StoreRateLimiter[];
    expect(la).toBeInstanceOf(StoreRateLimiter);
    const now = Date.UTC(2026, 0, 1, 8, 0, 0, 250);
    const takes = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? la! : lb!).take('key_direct', 'ner', 4, now)));
    expect(takes.filter(Boolean)).toHaveLength(4);
    expect(await la!.take('key_direct', 'ner', 4, now + 1000)).toBe(true);
    // Under one call per second the window is longer: 0.5 QPS is one call per two seconds.
    expect(await lb!.take('key_direct', 'classify', 0.5, now)).toBe(true);
    expect(await la!.take('key_direct', 'classify', 0.5, now + 1000)).toBe(false);
    expect(await la!.purge(now + 5000)).toBeGreaterThan(0);

    // Over HTTP: calls spread over both instances get the key's 3 QPS in all, per second they span.
    const { key } = await a.key({ rateLimits: { ner: 3 } });
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).call('POST', '/v1/ner', { key, body: { text: NOTE } })));
    const seconds = Math.floor(Date.now() / 1000) - Math.floor(started / 1000) + 1;
    const ok = replies.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(3);
    expect(ok).toBeLessThanOrEqual(3 * seconds);
    const limited = replies.filter((r) => r.status === 429);
    expect(limited.length).toBe(12 - ok);
    expect(limited[0]!.body.error.code).toBe('RATE_LIMITED');
  });

  it('share keys, jobs and idempotent replies', async () => {
    const { key } = await b.key();
    const q = new URLSearchParams({ Action: 'GetNerChMedical', ServiceCode: 'alinlp', Text: NOTE });
    expect((await a.call('GET', `/?${q}`, { key })).status).toBe(200);
    const job = await a.call('POST', '/v1/jobs', { key, body: { action: 'ner', items: [{ text: NOTE }, { text: '咳嗽咳痰2周' }] } });
    expect(job.status).toBe(202);
    const done = await waitFor(async () => {
      const reply = await b.call('GET', `/v1/jobs/${job.body.id}`, { key });
      return reply.body.status === 'done' ? reply.body : null;
    });
    expect(done.result).toHaveLength(2);
    const first = await a.call('POST', '/v1/ner', { key, body: { text: NOTE }, headers: { 'Idempotency-Key': 'pg-1' } });
    const replay = await b.call('POST', '/v1/ner', { key, body: { text: NOTE }, headers: { 'Idempotency-Key': 'pg-1' } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
  });
});
