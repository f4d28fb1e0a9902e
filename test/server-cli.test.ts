import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'medstruct.js');
const dataDir = mkdtempSync(join(tmpdir(), 'medstruct-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function medstruct(...args: string[]): { status: number | null; json: any; stdout: string; stderr: string } { // eslint-disable-line @typescript-eslint/no-explicit-any
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, [BIN, ...args, '--data-dir', dataDir], { env, encoding: 'utf8' });
  let json: unknown = null;
  try { json = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? ''); } catch { /* a table */ }
  return { status: result.status, json, stdout: result.stdout, stderr: result.stderr };
}

describe('medstruct keys, packages and usage', () => {
  it('manages keys and packages and prints statements', () => {
    const created = medstruct('keys', 'create', '--name', 'radiology-pacs', '--scopes', 'ner,TextToObject', '--payg', 'off', '--rate-limit', 'ner=20');
    expect(created.status).toBe(0);
    expect(created.json).toMatchObject({ name: 'radiology-pacs', scopes: ['ner', 'TextToObject'], payg: false, rateLimits: { ner: 20 }, status: 'open' });
    expect(created.json.key).toMatch(/^msk_[\w-]{43}$/);
    const listed = medstruct('keys', 'list');
    expect(listed.json.keys).toHaveLength(1);
    expect(listed.stdout).not.toContain(created.json.key);
    expect(medstruct('keys', 'close', 'radiology-pacs').json.status).toBe('closed');
    expect(medstruct('keys', 'open', created.json.id).json.status).toBe('open');
    expect(medstruct('keys', 'payg', 'radiology-pacs', 'on').json.payg).toBe(true);

    const pkg = medstruct('packages', 'add', '--key', 'radiology-pacs', '--calls', '5000', '--months', '6', '--action', 'TextToObject');
    expect(pkg.status).toBe(0);
    expect(pkg.json).toMatchObject({ callsTotal: 5000, callsLeft: 5000, months: 6, action: 'TextToObject', expired: false });
    expect(Date.parse(pkg.json.expiresAt) - Date.parse(pkg.json.purchasedAt)).toBeGreaterThan(180 * 86_400_000);
    expect(medstruct('packages', 'list', '--key', created.json.id).json.packages).toHaveLength(1);
    const badMonths = medstruct('packages', 'add', '--key', 'radiology-pacs', '--calls', '10', '--months', '2');
    expect(badMonths.status).toBe(2);
    expect(JSON.parse(badMonths.stderr).error.code).toBe('INVALID_ARGUMENT');

    const usage = medstruct('usage', '--json');
    expect(usage.json).toMatchObject({ calls: {}, totals: { calls: 0 } });
    const table = medstruct('usage', '--day', 'all');
    expect(table.stdout).toMatch(/^day\s+key\s+name\s+action\s+calls/);

    expect(medstruct('keys', 'revoke', 'radiology-pacs').json.status).toBe('revoked');
    const missing = medstruct('keys', 'close', 'no-such-key');
    expect(JSON.parse(missing.stderr).error.code).toBe('NOT_FOUND');
  });
});
