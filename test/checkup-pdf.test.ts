import { beforeAll, describe, expect, it } from 'vitest';
import type { MedDocument } from '../src/document/document.js';
import type { FieldValue, Polygon } from '../src/document/types.js';
import { ingestFile } from '../src/ingest/index.js';
import { runningRows } from '../src/ingest/running.js';
import { Pipeline } from '../src/pipeline/stage.js';
import { structureDocument, structureText, toTencentResponse, type StructureResult } from '../src/structure/index.js';
import { CHECKUP_EXAMS, CHECKUP_FINDINGS, CHECKUP_LAB, makeCheckupPdf } from './fixtures/ocr/checkup.js';

interface LabItemOut { name: FieldValue; result: FieldValue; unit: FieldValue | null; range: FieldValue | null; direction: string | null }

let doc: MedDocument;
let result: StructureResult;

/** Every field value (an object with value, start and end) anywhere under `node`. */
function fieldValues(node: unknown, out: FieldValue[] = []): FieldValue[] {
  if (Array.isArray(node)) node.forEach((n) => fieldValues(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.value === 'string' && typeof o.start === 'number' && typeof o.end === 'number') out.push(o as unknown as FieldValue);
    else Object.values(o).forEach((v) => fieldValues(v, out));
  }
  return out;
}

function insidePage(polygon: Polygon | undefined): boolean {
  return polygon !== undefined && polygon.every(([x, y]) => x >= 0 && x <= 595 && y >= 0 && y <= 842);
}

beforeAll(async () => {
  // Pages 1, 2 and 4 come from the text layer, page 3 (a scan) through OCR; 110 dpi keeps the OCR quick.
  doc = await ingestFile(await makeCheckupPdf(), { dpi: 110 });
  // Classification, sections and fields as `medstruct structure` runs them; entities are not asserted here.
  result = structureDocument(doc, { pipeline: new Pipeline([]) });
});

describe('a multi-page health-checkup PDF (digital and scanned pages)', () => {
  it('is merged into one document without the banners, page numbers and repeats of later pages', () => {
    expect(doc.pages.map((p) => p.number)).toEqual([1, 2, 3, 4]);
    expect(doc.text.split('健康体检报告')).toHaveLength(2);
    expect(doc.text.split('体检号')).toHaveLength(2);
    expect(doc.text).not.toMatch(/第\s*\d\s*页/);
    // The table header printed again where the table continues stays: it is part of the table.
    expect(doc.text.split('项目名称')).toHaveLength(3);
    expect(doc.text).toContain('检查结论：窦性心律，正常心电图。');
  });

  it('is classified as a checkup with the patient read once, from page 1', () => {
    expect(result.type.type).toBe('checkup');
    const patient = result.patient as Record<string, FieldValue>;
    expect(patient.name!.value).toBe('张伟');
    expect(patient.name!.page).toBe(1);
  });

  it('lists the lab items of every page once, each with its page and polygon', () => {
    const items = result.fields.labItems as LabItemOut[];
    expect(items.map((i) => i.name.value)).toEqual(CHECKUP_LAB.map((t) => t.name));
    items.forEach((item, k) => {
      const truth = CHECKUP_LAB[k]!;
      expect([item.result.value, item.unit?.value, item.range?.value, item.direction], truth.name).toEqual([truth.result, truth.unit, truth.range, truth.flag]);
      for (const value of [item.name, item.result]) {
        expect(value.page, truth.name).toBe(truth.page);
        expect(insidePage(value.polygon), truth.name).toBe(true);
      }
    });
    expect(result.fields.abnormalCount).toBe(CHECKUP_LAB.filter((t) => t.flag !== null).length);
  });

  it('keeps each examination’s conclusion from the scanned page apart from the overall conclusion', () => {
    const exams = result.fields.exams as Array<{ exam: FieldValue | null; conclusion: FieldValue }>;
    expect(exams.map((e) => ({ exam: e.exam?.value, conclusion: e.conclusion.value }))).toEqual(CHECKUP_EXAMS);
    for (const e of exams) {
      expect(e.conclusion.page).toBe(3);
      expect(insidePage(e.conclusion.polygon)).toBe(true);
    }
    const findings = result.fields.findings as Array<{ finding: FieldValue; advice: FieldValue | null }>;
    expect(findings).toHaveLength(CHECKUP_FINDINGS.length);
    findings.forEach((f, k) => {
      expect(f.finding.value.startsWith(CHECKUP_FINDINGS[k]!)).toBe(true);
      expect(f.finding.page).toBe(4);
      expect(f.advice?.value).toMatch(/^建议/);
    });
    const advice = result.fields.advice as FieldValue;
    expect(advice.value).toBe('清淡饮食，限制饮酒，每周运动不少于150分钟，一年后复查');
    expect(advice.page).toBe(4);
  });

  it('fills the tencent template with the overall conclusion (Exame) and the lab items with their Coords (Indicator)', () => {
    const template = toTencentResponse(result, doc).Template as { Exame: { Abnormality: unknown[] }; Indicator: { Indicators: Array<{ Name: string; Result: string; Coords?: { Width: number } }> } };
    expect(template.Exame.Abnormality).toHaveLength(CHECKUP_FINDINGS.length);
    expect(template.Indicator.Indicators.map((i) => [i.Name, i.Result])).toEqual(CHECKUP_LAB.map((t) => [t.name, t.result]));
    for (const i of template.Indicator.Indicators) expect(i.Coords!.Width).toBeGreaterThan(0);
  });

  it('gives every field a page number and every field on one line a polygon', () => {
    const values = fieldValues([result.fields, result.patient, result.report]);
    expect(values.length).toBeGreaterThan(40);
    for (const v of values) {
      expect(v.page, v.value).toBeGreaterThanOrEqual(1);
      if (!v.value.includes('\n')) expect(insidePage(v.polygon), v.value).toBe(true);
    }
  });
});

describe('running headers and footers', () => {
  const rows = (...texts: string[]): Array<{ text: string; inTable: boolean }> => texts.map((text) => ({ text, inTable: false }));

  it('drops page marks and banners repeated on later pages, keeps short repeated headings and table rows', () => {
    const dropped = runningRows([
      rows('南京鼓楼医院体检中心 体检报告', '姓名：王芳 性别：女', '检查结论：', '甲状腺结节', '打印时间：2024-06-20 10:31', '1/3'),
      [...rows('南京鼓楼医院体检中心 体捡报告', '姓名：王芳 性别：女', '检查结论：', '胆囊息肉'), { text: '项目 结果 单位', inTable: true }, ...rows('打印时间：2024-06-20 10:32', '2/3')],
      rows('- 3 -', '总检结论', '1.甲状腺结节', '120/80', '共3页 第3页'),
    ]);
    expect(dropped.map((d) => [...d].sort())).toEqual([[5], [0, 1, 5, 6], [0, 4]]);
  });

  it('keeps lab rows that open pages of a table printed without its header', () => {
    const dropped = runningRows([
      rows('检验报告单', '项目 结果 单位'),
      rows('总胆固醇 6.12 ↑ mmol/L 2.80-5.20', '甘油三酯 1.02 mmol/L 0.56-1.70'),
      rows('低密度脂蛋白胆固醇 3.10 mmol/L 1.50-3.40', '葡萄糖 5.30 mmol/L 3.90-6.10'),
    ]);
    expect(dropped.map((d) => d.size)).toEqual([0, 0, 0]);
  });
});

describe('checkup examination conclusions', () => {
  it('keep every line of a conclusion and leave the next examination’s heading to it', () => {
    const text = [
      '健康体检报告',
      '姓名：李华  性别：女  年龄：38岁',
      '腹部彩超',
      '检查所见：肝脏实质回声增强。胆囊内见一强回声，大小约5mm，不随体位移动。',
      '检查结论：',
      '1.脂肪肝',
      '胆囊息肉',
      '心电图',
      '检查结论：窦性心律',
      '总检结论',
      '1.脂肪肝：建议低脂饮食，适当运动。',
      '2.胆囊息肉：建议半年后复查彩超。',
    ].join('\n');
    const r = structureText(text, { type: 'checkup', pipeline: new Pipeline([]) });
    const exams = r.fields.exams as Array<{ exam: FieldValue | null; conclusion: FieldValue }>;
    expect(exams.map((e) => [e.exam?.value, e.conclusion.value])).toEqual([['腹部彩超', '1.脂肪肝\n胆囊息肉'], ['心电图', '窦性心律']]);
    expect((r.fields.findings as Array<{ finding: FieldValue }>).map((f) => f.finding.value)).toEqual(['脂肪肝', '胆囊息肉']);
    expect(r.fields.labItems).toEqual([]);
  });
});
