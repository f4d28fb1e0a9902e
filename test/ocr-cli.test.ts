import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { renderLabSheet } from '../scripts/make-ocr-testset.js';
import { CHECKUP_LAB, makeCheckupPdf } from './fixtures/ocr/checkup.js';
import { makePdf } from './fixtures/ocr/pdf.js';

// The CLI runs from dist/ (npm test builds it first).
function medstruct(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/medstruct.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface CliPage { number: number; width: number; height: number; lines: Array<{ text: string; confidence: number; polygon: number[][]; chars: Array<{ char: string; polygon: number[][] }> }> }

describe('medstruct ocr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'medstruct-ocr-'));

  it('prints pages with lines in reading order, each with confidence, polygon and character polygons', () => {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, makePdf([{ texts: [
      { x: 300, y: 120, size: 12, text: '结果' },
      { x: 60, y: 80, size: 16, text: '超声检查报告单' },
      { x: 60, y: 120, size: 12, text: '检查项目' },
    ] }]));
    const r = medstruct('ocr', file);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { pages: CliPage[] };
    expect(out.pages).toHaveLength(1);
    const page = out.pages[0]!;
    expect([page.number, page.width, page.height]).toEqual([1, 595, 842]);
    expect(page.lines.map((l) => l.text)).toEqual(['超声检查报告单', '检查项目', '结果']);
    const line = page.lines[1]!;
    expect(line.confidence).toBe(1);
    expect(line.polygon).toHaveLength(4);
    expect(line.chars.map((c) => c.char).join('')).toBe('检查项目');
    expect(line.chars[0]!.polygon[0]![0]).toBeCloseTo(60, 0);
  });

  it('fails with a stable code for an image without text and for a missing file', async () => {
    const blank = join(dir, 'blank.png');
    writeFileSync(blank, await sharp({ create: { width: 320, height: 240, channels: 3, background: '#fafafa' } }).png().toBuffer());
    const r = medstruct('ocr', blank);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stderr).error.code).toBe('IMAGE_HAS_NO_TEXT');
    expect(JSON.parse(medstruct('ocr', join(dir, 'missing.jpg')).stderr).error.code).toBe('INVALID_ARGUMENT');
  });

  it('structures a four-page checkup PDF: entities and lab items of every page with page and polygon, conclusions, advice', async () => {
    const file = join(dir, 'checkup.pdf');
    writeFileSync(file, await makeCheckupPdf({ scanned: false }));
    const r = medstruct('structure', file);
    expect(r.status, r.stderr).toBe(0);
    type Fv = { value: string; page?: number; polygon?: number[][] };
    const out = JSON.parse(r.stdout) as { type: { type: string }; entities: Array<{ text: string; page?: number; polygon?: number[][] }>; fields: { labItems: Array<{ name: Fv }>; exams: Array<{ exam: Fv; conclusion: Fv }>; findings: unknown[]; advice: Fv } };
    expect(out.type.type).toBe('checkup');
    expect(out.entities.find((e) => e.text === '窦性心律')?.page).toBe(3);
    for (const e of out.entities) {
      expect(e.page, e.text).toBeGreaterThanOrEqual(1);
      expect(e.polygon, e.text).toHaveLength(4);
    }
    expect(out.fields.labItems.map((i) => [i.name.value, i.name.page])).toEqual(CHECKUP_LAB.map((t) => [t.name, t.page]));
    for (const item of out.fields.labItems) expect(item.name.polygon).toHaveLength(4);
    expect(out.fields.exams.map((e) => [e.exam.value, e.conclusion.page])).toEqual([['腹部彩超', 3], ['心电图', 3]]);
    expect(out.fields.findings).toHaveLength(4);
    expect(out.fields.advice.page).toBe(4);
  });

  it('structures a lab-sheet photo: tencent Indicators carry the items with their Coords', async () => {
    const sheet = await renderLabSheet(11, 4);
    const file = join(dir, 'lab.png');
    writeFileSync(file, sheet.png);
    const r = medstruct('structure', file, '--format', 'tencent');
    expect(r.status, r.stderr).toBe(0);
    type Indicator = { Name: string; Result: string; Coords?: { X: number; Y: number; Width: number; Height: number } };
    const indicators: Indicator[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === 'Indicators' && Array.isArray(inner)) indicators.push(...(inner as Indicator[]));
          else walk(inner);
        }
      }
    };
    walk(JSON.parse(r.stdout));
    for (const item of sheet.items) {
      const found = indicators.find((i) => i.Name === item.name);
      expect(found, item.name).toBeDefined();
      expect(found!.Result).toBe(item.result);
      // MRS IndicatorItem.Coords is a Coordinate box {X, Y, Width, Height}.
      expect(found!.Coords!.Width).toBeGreaterThan(0);
      expect(found!.Coords!.Height).toBeGreaterThan(0);
    }
  });
});
