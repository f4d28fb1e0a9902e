import { describe, expect, it } from 'vitest';
import { MedDocument, normalizeText, codePoints, splitSentences } from '../src/document/index.js';

describe('normalized view', () => {
  it('folds full-width letters, digits and punctuation one to one', () => {
    const view = normalizeText(codePoints('ＷＢＣ：１２．５×１０＾９／Ｌ'));
    expect(view.text).toBe('WBC:12.5×10^9/L');
    expect(view.chars.length).toBe(15);
  });

  it('drops spaces that OCR puts between Han characters and keeps them between words', () => {
    const view = normalizeText(codePoints('血 红 蛋 白  HGB 120 g/L'));
    expect(view.text).toBe('血红蛋白 HGB 120 g/L');
    // The H of HGB sits at original offset 9 (after 血 红 蛋 白 and two spaces).
    expect(view.toOriginal[view.text.indexOf('H')]).toBe(9);
  });

  it('turns line-break runs into one boundary and trims leading whitespace', () => {
    const view = normalizeText(codePoints('  主诉：\r\n\r\n  发热3天'));
    expect(view.text).toBe('主诉:\n发热3天');
    expect(view.toOriginal[0]).toBe(2);
  });

  it('repairs O and l read for digits inside numbers only', () => {
    expect(normalizeText(codePoints('白细胞1O.5 Only l0')).text).toBe('白细胞10.5 Only l0');
    expect(normalizeText(codePoints('1l2')).text).toBe('112');
  });
});

describe('MedDocument offsets', () => {
  it('counts astral characters and emoji as one code point each', () => {
    const text = '𠮷😀患者诉头痛';
    const doc = new MedDocument(text);
    expect(doc.length).toBe(7);
    const normStart = doc.norm.text.indexOf('头痛');
    // indexOf counts UTF-16 units; convert through code points for the check.
    const cpStart = Array.from(doc.norm.text.slice(0, normStart)).length;
    const span = doc.fromNorm(cpStart, cpStart + 2);
    expect(span).toEqual({ start: 5, end: 7 });
    expect(doc.slice(span.start, span.end)).toBe('头痛');
  });

  it('maps normalized spans back across collapsed whitespace', () => {
    const doc = new MedDocument('血 红 蛋 白 降低');
    const span = doc.fromNorm(0, 4);
    expect(doc.slice(span.start, span.end)).toBe('血 红 蛋 白');
    expect(doc.toNorm(span.start, span.end)).toEqual({ start: 0, end: 4 });
  });

  it('splits sentences at hard stops and bounds long ones at a comma', () => {
    const chars = codePoints('发热3天。咳嗽，咳痰！' + '甲'.repeat(50) + '，' + '乙'.repeat(30));
    const spans = splitSentences(chars, 60);
    expect(spans[0]).toEqual({ start: 0, end: 5 });
    expect(spans[1]).toEqual({ start: 5, end: 11 });
    expect(spans[2]!.end - spans[2]!.start).toBeLessThanOrEqual(60);
    expect(spans[spans.length - 1]!.end).toBe(chars.length);
  });

  it('links nested entities as parent and children', () => {
    const doc = new MedDocument('左肺下叶结节');
    const mk = (id: string, start: number, end: number) => ({ id, start, end, text: doc.slice(start, end), type: 'anatomy' as const, confidence: 1, source: 'model' as const, parent: null, children: [], assertion: null, link: null });
    doc.entities = [mk('b', 0, 4), mk('a', 0, 6), mk('c', 0, 1)];
    doc.rebuildNesting();
    expect(doc.entities.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(doc.entities[1]!.parent).toBe('a');
    expect(doc.entities[2]!.parent).toBe('b');
    expect(doc.entities[0]!.children).toEqual(['b']);
  });
});
