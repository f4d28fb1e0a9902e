import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { deidentifyImage } from '../src/deid/index.js';
import { isMedstructError } from '../src/errors.js';
import { OcrEngine } from '../src/ocr/index.js';
import { renderDeidSheet } from '../scripts/make-deid-testset.js';
import { photograph } from '../scripts/make-ocr-testset.js';
import { renderPdfPages } from '../src/deid/pdf.js';
import { makePdf } from './fixtures/ocr/pdf.js';

let engine: OcrEngine;
let sheet: Awaited<ReturnType<typeof renderDeidSheet>>;
let masked: Awaited<ReturnType<typeof deidentifyImage>>;
let readBack: string;

beforeAll(async () => {
  [engine, sheet] = await Promise.all([OcrEngine.create(), renderDeidSheet()]);
  const ocr = async (bytes: Buffer) => ({ pages: [await engine.read(bytes)] });
  masked = await deidentifyImage(sheet.png, { ocr });
  readBack = (await engine.read(masked.image)).lines.map((l) => l.text).join('\n');
});

describe('image de-identification', () => {
  it('the masked sheet read back by OCR shows none of the PHI and all the clinical content', () => {
    expect(sheet.phi).toContain('欧阳娜娜');
    for (const phi of sheet.phi) expect(readBack).not.toContain(phi);
    for (const item of sheet.clinical) expect(readBack).toContain(item);
    for (const label of ['姓名', '住院号', '身份证号', '检验者', '审核者', '检验报告单', '11.2', '130-175']) expect(readBack).toContain(label);
  });

  it('covers exactly the PHI characters, not their labels or whole lines', () => {
    const name = masked.spans.find((s) => s.type === 'patient_name')!;
    const [box] = name.polygons!;
    // 姓名：欧阳娜娜 is drawn at x = 60 with 28 px glyphs: the label (~84 px) stays visible.
    expect(box![0][0]).toBeGreaterThan(120);
    expect(box![1][0]).toBeLessThan(300);
  });

  it('covers the barcode and the QR code, and strips EXIF metadata, keeping PNG', async () => {
    const codes = masked.spans.filter((s) => s.type === 'barcode');
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const { data, info } = await sharp(masked.image).greyscale().raw().toBuffer({ resolveWithObject: true });
    // Centre of the QR code (drawn at 60..186, 40..166) and of the bars (860..1160, 620..690) are now solid black.
    for (const [x, y] of [[123, 103], [950, 655], [1100, 655]] as const) expect(data[y * info.width + x]).toBeLessThan(30);
    expect(masked.mime).toBe('image/png');
    const meta = await sharp(masked.image).metadata();
    expect(meta.exif).toBeUndefined();
    expect((await sharp(sheet.png).metadata()).exif).toBeDefined();
  });

  it('on a photographed sheet (tilt, keystone, shadow, blur, JPEG) finds the PHI and both codes', async () => {
    const other = await renderDeidSheet(101);
    const photo = await photograph({ kind: 'lab', png: other.png, width: other.width, height: other.height, lines: [], items: [] }, { rotation: 0, skew: 1.5, perspective: 0.03, blur: 0.7, jpegQuality: 80, seed: 5 });
    const ocr = async (bytes: Buffer) => ({ pages: [await engine.read(bytes)] });
    const result = await deidentifyImage(photo, { ocr });
    expect(result.mime).toBe('image/jpeg');
    const found = result.spans.map((s) => s.text.replace(/[·•]/g, ''));
    for (const phi of other.phi) expect(found).toContain(phi);
    expect(result.spans.filter((s) => s.type === 'barcode').length).toBeGreaterThanOrEqual(2);
  });

  it('masks a PDF page by page into a PDF of page images without the original text layer', async () => {
    const ocr = async (bytes: Buffer) => ({ pages: [await engine.read(bytes)] });
    const pdf = makePdf([
      { texts: [{ x: 60, y: 80, size: 16, text: '检验报告单' }, { x: 60, y: 120, size: 14, text: '姓名：欧阳娜娜  住院号：ZY20230456' }, { x: 60, y: 160, size: 14, text: '白细胞计数 11.2' }] },
      { texts: [{ x: 60, y: 80, size: 14, text: '检验者：李明  电话：13800138000' }] },
    ]);
    const result = await deidentifyImage(pdf, { ocr, dpi: 110 });
    expect(result.mime).toBe('application/pdf');
    expect(result.spans.map((s) => [s.page, s.type, s.text])).toEqual([
      [1, 'patient_name', '欧阳娜娜'], [1, 'record_number', 'ZY20230456'], [2, 'staff_name', '李明'], [2, 'phone', '13800138000'],
    ]);
    expect(result.image.includes('STSong')).toBe(false);
    const pages = await renderPdfPages(result.image, { dpi: 110 });
    expect(pages).toHaveLength(2);
    const text = (await Promise.all(pages.map((p) => engine.read(p)))).flatMap((p) => p.lines.map((l) => l.text)).join('');
    for (const phi of ['欧阳娜娜', 'ZY20230456', '李明', '13800138000']) expect(text).not.toContain(phi);
    for (const kept of ['检验报告单', '白细胞计数', '姓名', '检验者']) expect(text).toContain(kept);
  });

  it('keeps JPEG as JPEG and rejects corrupt images and PDFs with stable codes', async () => {
    const ocr = async (bytes: Buffer) => ({ pages: [await engine.read(bytes)] });
    const jpeg = await deidentifyImage(sheet.jpeg, { ocr, mask: ['patient'] });
    expect(jpeg.mime).toBe('image/jpeg');
    expect((await sharp(jpeg.image).metadata()).exif).toBeUndefined();
    expect(jpeg.spans.some((s) => s.type === 'staff_name' || s.type === 'barcode')).toBe(false);
    for (const [bytes, code] of [[Buffer.from('not an image at all'), 'CORRUPT_IMAGE'], [Buffer.from('%PDF-1.4\n%%EOF'), 'CORRUPT_PDF'], [makePdf([{ texts: [] }], { encrypt: true }), 'ENCRYPTED_PDF']] as const) {
      const error = await deidentifyImage(bytes).catch((e: unknown) => e);
      expect(isMedstructError(error) && error.code).toBe(code);
    }
  });
});
