import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';

function captureStdout(): { lines: () => unknown[] } {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { chunks.push(`${args.join(' ')}\n`); });
  return { lines: () => chunks.join('').trim().split('\n').filter((l) => l.startsWith('{') && l.endsWith('}')).map((l) => JSON.parse(l) as unknown) };
}

afterEach(() => { vi.restoreAllMocks(); });

describe('medstruct classify', () => {
  it('prints the classification of a text argument', async () => {
    const out = captureStdout();
    expect(await main(['classify', '心电图诊断：窦性心律，完全性右束支传导阻滞'])).toBe(0);
    expect(out.lines()[0]).toMatchObject({ type: 'ecg', code: 363, name: '心电图报告' });
  });

  it('prints one object per JSONL line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medstruct-classify-'));
    const file = join(dir, 'in.jsonl');
    writeFileSync(file, [
      JSON.stringify({ text: '【药品名称】通用名称：奥美拉唑肠溶胶囊\n【用法用量】口服，一次20mg，一日1次。' }),
      JSON.stringify({ text: '镜下所见：黏膜慢性炎伴肠化。病理诊断：（胃窦）慢性萎缩性胃炎。' }),
    ].join('\n'));
    const out = captureStdout();
    expect(await main(['classify', '--jsonl', file])).toBe(0);
    expect(out.lines().map((r) => (r as { type: string }).type)).toEqual(['drug_leaflet', 'pathology']);
  });

  it('evaluates labelled lines: accuracy on the last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medstruct-classify-'));
    const file = join(dir, 'gold.jsonl');
    writeFileSync(file, [
      JSON.stringify({ text: '超声所见：胆囊壁毛糙，腔内见强回声团伴声影。超声提示：胆囊结石。', type: 'ultrasound' }),
      JSON.stringify({ text: '主诉：发热伴咳嗽3天。现病史：患者3天前受凉后出现发热，最高38.9℃。', type: 'admission' }),
    ].join('\n'));
    const out = captureStdout();
    expect(await main(['eval', 'classify', '--data', file])).toBe(0);
    const lines = out.lines();
    expect(lines[lines.length - 1]).toEqual({ accuracy: 1, examples: 2 });
  });

  it('reports a bad gold type with a stable error code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medstruct-classify-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, JSON.stringify({ text: '胸片未见异常', type: 'radiograph' }));
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => { errors.push(args.join(' ')); });
    expect(await main(['eval', 'classify', '--data', file])).toBe(2);
    expect(errors.join('\n')).toContain('INVALID_ARGUMENT');
  });
});
