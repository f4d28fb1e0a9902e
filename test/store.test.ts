import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addPackage, commit, createKey, expiryOf, findKeyBySecret, hashKey, listKeys, listPackages, release, releaseStale, reserve,
  revokeKey, setKeyStatus, setPayg, usageStatement,
} from '../src/accounts/index.js';
import { MedstructError } from '../src/errors.js';
import { openStore, type Database } from '../src/store/index.js';
import { freshPgDatabase } from './pg-helper.js';

const dirs: string[] = [];
const backends: Array<[string, () => Promise<Database>, boolean]> = [
  ['sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medstruct-store-'));
    dirs.push(dir);
    return openStore({ dataDir: dir });
  }, false],
  ['postgres', async () => openStore({ databaseUrl: await freshPgDatabase(process.env.DATABASE_URL!, 'medstruct_store_test') }), !process.env.DATABASE_URL],
];

const code = async (p: Promise<unknown>): Promise<string> => {
  try { await p; return 'ok'; } catch (e) { return e instanceof MedstructError ? e.code : String(e); }
};

describe('package expiry', () => {
  it('runs to the same second months later, clamping to the month end', () => {
    expect(new Date(expiryOf(Date.parse('2026-01-31T10:20:30Z'), 1)).toISOString()).toBe('2026-02-28T10:20:30.000Z');
    expect(new Date(expiryOf(Date.parse('2026-11-15T23:59:59Z'), 3)).toISOString()).toBe('2027-02-15T23:59:59.000Z');
    expect(new Date(expiryOf(Date.parse('2024-02-29T00:00:01Z'), 12)).toISOString()).toBe('2025-02-28T00:00:01.000Z');
  });
});

for (const [name, open, skip] of backends) {
  describe.skipIf(skip)(`store on ${name}`, () => {
    let db: Database;
    beforeAll(async () => { db = await open(); });
    afterAll(async () => { await db?.close(); });

    it('stores keys hashed and finds them by the secret', async () => {
      const created = await createKey(db, { name: 'his-gateway', scopes: ['TextToObject'] });
      expect(created.key).toMatch(/^msk_/);
      const rows = await db.all<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = ?', [created.id]);
      expect(rows[0]!.key_hash).toBe(hashKey(created.key));
      expect(JSON.stringify(rows)).not.toContain(created.key);
      expect((await findKeyBySecret(db, created.key))?.id).toBe(created.id);
      expect((await listKeys(db)).some((k) => k.id === created.id)).toBe(true);
    });

    it('uses the package expiring first, then refuses without pay-as-you-go', async () => {
      const key = await createKey(db, { name: 'insurer', payg: false });
      const later = await addPackage(db, { key: key.id, calls: 5, months: 12 });
      const sooner = await addPackage(db, { key: key.id, calls: 2, months: 1 });
      await addPackage(db, { key: key.id, calls: 100, months: 1, purchasedAt: Date.now() - 40 * 86_400_000 });
      for (let i = 0; i < 3; i++) {
        await reserve(db, { requestId: `${name}-a${i}`, keyId: key.id, action: 'TextToObject' });
        expect(await commit(db, `${name}-a${i}`)).toBe(true);
      }
      const pkgs = await listPackages(db, key.id);
      expect(pkgs.find((p) => p.id === sooner.id)!.callsUsed).toBe(2);
      expect(pkgs.find((p) => p.id === later.id)!.callsUsed).toBe(1);
      // Committing twice does not double-count.
      expect(await commit(db, `${name}-a0`)).toBe(false);
      for (let i = 3; i < 7; i++) await reserve(db, { requestId: `${name}-a${i}`, keyId: key.id, action: 'TextToObject' });
      expect(await code(reserve(db, { requestId: `${name}-a7`, keyId: key.id, action: 'TextToObject' }))).toBe('QUOTA_EXHAUSTED');
      // A failed call gives its unit back.
      expect(await release(db, `${name}-a6`)).toBe(true);
      await reserve(db, { requestId: `${name}-a8`, keyId: key.id, action: 'TextToObject' });
      await setPayg(db, key.id, true);
      await reserve(db, { requestId: `${name}-a9`, keyId: key.id, action: 'TextToObject' });
      await commit(db, `${name}-a9`);
      const statement = await usageStatement(db, new Date().toISOString().slice(0, 10), key.id);
      expect(statement.calls[key.id]!.TextToObject).toBe(4);
      expect(statement.totals).toMatchObject({ calls: 4, units: 4, packageUnits: 3, paygUnits: 1 });
    });

    it('keeps quotas exact under concurrent reservations', async () => {
      const key = await createKey(db, { name: 'concurrent', payg: false });
      await addPackage(db, { key: key.id, calls: 10, months: 1 });
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => code(reserve(db, { requestId: `${name}-c${i}`, keyId: key.id, action: 'ner' }))));
      expect(results.filter((r) => r === 'ok')).toHaveLength(10);
      expect(results.filter((r) => r === 'QUOTA_EXHAUSTED')).toHaveLength(15);
      expect((await listPackages(db, key.id))[0]!.callsUsed).toBe(10);
    });

    it('charges PDFs per page and releases stale reservations', async () => {
      const key = await createKey(db, { name: 'pdf' });
      await addPackage(db, { key: key.id, calls: 3, months: 3 });
      await reserve(db, { requestId: `${name}-p1`, keyId: key.id, action: 'TurnPDFToObject' });
      await commit(db, `${name}-p1`, 5);
      const statement = await usageStatement(db, null, key.id);
      expect(statement.totals).toMatchObject({ calls: 1, units: 5, packageUnits: 3, paygUnits: 2 });
      await reserve(db, { requestId: `${name}-p2`, keyId: key.id, action: 'ner' });
      expect(await releaseStale(db, -1)).toBeGreaterThanOrEqual(1);
      expect(await commit(db, `${name}-p2`)).toBe(false);
    });

    it('refuses closed and revoked keys', async () => {
      const key = await createKey(db, { name: 'closing' });
      await setKeyStatus(db, key.id, 'closed');
      expect(await code(reserve(db, { requestId: `${name}-x1`, keyId: key.id, action: 'ner' }))).toBe('SERVICE_NOT_OPEN');
      await setKeyStatus(db, key.id, 'open');
      await revokeKey(db, key.id);
      expect(await code(reserve(db, { requestId: `${name}-x2`, keyId: key.id, action: 'ner' }))).toBe('UNAUTHENTICATED');
    });
  });
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
