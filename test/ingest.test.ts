import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { documentFromOcrLines, ingestFile, ingestPages } from '../src/ingest/index.js';
import type { OcrPage } from '../src/ocr/types.js';
import { makePdf, type PdfText } from './fixtures/ocr/pdf.js';
import { errorCodeOf } from './error-code.js';

const REPORT: PdfText[] = [
  { x: 60, y: 70, size: 18, text: '上海市第六人民医院检验报告单' },
  { x: 60, y: 110, size: 11, text: '姓名：王芳  性别：女  年龄：52岁' },
  { x: 60, y: 150, size: 11, text: '项目名称' }, { x: 250, y: 150, size: 11, text: '结果' }, { x: 330, y: 150, size: 11, text: '单位' }, { x: 420, y: 150, size: 11, text: '参考范围' },
  { x: 60, y: 172, size: 11, text: '白细胞计数' }, { x: 250, y: 172, size: 11, text: '11.2 ↑' }, { x: 330, y: 172, size: 11, text: '10^9/L' }, { x: 420, y: 172, size: 11, text: '3.5-9.5' },
  { x: 60, y: 194, size: 11, text: '血红蛋白' }, { x: 250, y: 194, size: 11, text: '128' }, { x: 330, y: 194, size: 11, text: 'g/L' }, { x: 420, y: 194, size: 11, text: '130-175' },
];

const noOcr = async (): Promise<OcrPage> => {
  throw new Error('a digital PDF must not be OCRed');
};


describe('PDF ingest', () => {
  it('reads a digital PDF from its text layer with a page and a polygon per character', async () => {
    const pdf = makePdf([{ texts: REPORT }, { texts: [{ x: 60, y: 80, size: 12, text: '诊断意见：白细胞升高，请结合临床。' }] }]);
    const doc = await ingestFile(pdf, { read: noOcr });
    const lines = doc.text.split('\n');
    expect(lines[0]).toBe('上海市第六人民医院检验报告单');
    expect(lines[1]).toBe('姓名：王芳\t性别：女\t年龄：52岁');
    expect(lines[3]).toBe('白细胞计数\t11.2 ↑\t10^9/L\t3.5-9.5');
    expect(doc.pages.map((p) => p.number)).toEqual([1, 2]);
    const at = doc.text.indexOf('诊断意见');
    expect(doc.pageOf(at)).toBe(2);
    expect(doc.pageOf(0)).toBe(1);
    // 白 of 白细胞计数 sits at x = 60 pt, its baseline 172 pt from the top, 11 pt high.
    const white = doc.polygonOf(lines.slice(0, 3).join('\n').length + 1, lines.slice(0, 3).join('\n').length + 2)!;
    expect(white[0][0]).toBeCloseTo(60, 0);
    expect(white[0][1]).toBeGreaterThan(160);
    expect(white[2][1]).toBeLessThan(175);
  });

  it('OCRs a scanned page and returns its polygons in page points', async () => {
    const scan = await sharp({ create: { width: 1654, height: 2339, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    let renderedWidth = 0;
    const read = async (image: Buffer): Promise<OcrPage> => {
      const meta = await sharp(image).metadata();
      renderedWidth = meta.width!;
      const k = meta.width! / 595;
      return {
        width: meta.width!, height: meta.height!, rotation: 0, skew: 0,
        lines: [{ text: '肝', confidence: 0.9, polygon: [[100 * k, 100 * k], [112 * k, 100 * k], [112 * k, 112 * k], [100 * k, 112 * k]], chars: [{ char: '肝', confidence: 0.9, polygon: [[100 * k, 100 * k], [112 * k, 100 * k], [112 * k, 112 * k], [100 * k, 112 * k]] }] }],
      };
    };
    const { pages } = await ingestPages(makePdf([{ texts: REPORT }, { jpeg: scan, width: 1654, height: 2339 }]), { read, dpi: 150 });
    expect(renderedWidth).toBeGreaterThan(1000);
    expect(pages[1]!.width).toBeCloseTo(595, 0);
    expect(pages[1]!.lines[0]!.polygon[0][0]).toBeCloseTo(100, 0);
  });

  it('gives stable codes for empty, corrupt, encrypted, oversized and long PDFs', async () => {
    expect(await errorCodeOf(ingestFile(makePdf([]), { read: noOcr }))).toBe('EMPTY_PDF');
    expect(await errorCodeOf(ingestFile(Buffer.from('%PDF-1.7\n1 0 obj garbage'), { read: noOcr }))).toBe('CORRUPT_PDF');
    expect(await errorCodeOf(ingestFile(makePdf([{ texts: REPORT }]).subarray(0, 200), { read: noOcr }))).toBe('CORRUPT_PDF');
    expect(await errorCodeOf(ingestFile(makePdf([{ texts: REPORT }], { encrypt: true }), { read: noOcr }))).toBe('ENCRYPTED_PDF');
    expect(await errorCodeOf(ingestFile(makePdf([{ texts: REPORT }, { texts: REPORT }]), { read: noOcr, maxPages: 1 }))).toBe('TOO_MANY_PAGES');
    expect(await errorCodeOf(ingestFile(makePdf([{ texts: REPORT }]), { read: noOcr, maxBytes: 100 }))).toBe('INPUT_TOO_LARGE');
  });
});

describe('media detection', () => {
  it('decodes text inputs and rejects broken or unknown binaries with stable codes', async () => {
    expect((await ingestFile(Buffer.from('主诉：咳嗽3天。'))).text).toBe('主诉：咳嗽3天。');
    const jpeg = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    expect(await errorCodeOf(ingestFile(Buffer.concat([jpeg.subarray(0, 20), Buffer.alloc(200, 7)])))).toBe('CORRUPT_IMAGE');
    expect(await errorCodeOf(ingestFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0])))).toBe('UNSUPPORTED_MEDIA');
    expect(await errorCodeOf(ingestFile(Buffer.from('not really'), { filename: 'scan.png' }))).toBe('CORRUPT_IMAGE');
    // Right signatures, undecodable bodies.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Buffer.alloc(64, 0x41)]);
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([64, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(64, 3)]);
    expect(await errorCodeOf(ingestFile(png))).toBe('CORRUPT_IMAGE');
    expect(await errorCodeOf(ingestFile(webp))).toBe('CORRUPT_IMAGE');
  });
});

describe('bring-your-own OCR', () => {
  it('structures MRS OcrInfoList lines into rows with polygons', () => {
    const doc = documentFromOcrLines({
      OcrInfoList: [{
        Items: [
          { Words: '检验报告单', Coords: { LeftTop: { X: 200, Y: 20 }, RightTop: { X: 400, Y: 20 }, RightBottom: { X: 400, Y: 50 }, LeftBottom: { X: 200, Y: 50 } } },
          { Words: '7.90', Coords: { X: 300, Y: 100, Width: 60, Height: 24 } },
          { Words: '白细胞计数', Coords: { X: 40, Y: 102, Width: 150, Height: 24 } },
          { Words: '10^9/L', Coords: { X: 400, Y: 101, Width: 80, Height: 24 } },
        ],
      }],
    });
    expect(doc.text).toBe('检验报告单\n白细胞计数\t7.90\t10^9/L');
    expect(doc.polygonOf(doc.text.indexOf('7.90'), doc.text.indexOf('7.90') + 4)).toEqual([[300, 100], [360, 100], [360, 124], [300, 124]]);
    expect(doc.pageOf(0)).toBe(1);
  });

  it('keeps the order of lines that come without boxes', () => {
    const doc = documentFromOcrLines([{ text: '诊断：' }, { text: '1.高血压病3级' }]);
    expect(doc.text).toBe('诊断：\n1.高血压病3级');
    expect(doc.polygonOf(0, 2)).toBeNull();
  });
});
