import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MedstructError } from '../src/errors.js';
import { ingestPages } from '../src/ingest/index.js';
import { OcrEngine, type OcrPage } from '../src/ocr/index.js';
import { makePdf, type PdfText } from './fixtures/ocr/pdf.js';

// Two lines in the non-embedded STSong-Light whose text layer maps into the private-use area: the
// text can only be had by drawing the page (poppler draws it with a system CJK font) and reading it.
const TEXTS: PdfText[] = [
  { x: 60, y: 80, size: 20, text: '超声检查报告单' },
  { x: 60, y: 120, size: 16, text: '检查结论：胆囊结石' },
];

let engine: OcrEngine;
const savedPath = process.env.PATH;

/** Reads with the real engine and notes how each page was drawn: poppler's PNGs have 3 channels, pdfjs's canvas 4. */
function recordingReader(channels: number[]): (image: Buffer) => Promise<OcrPage> {
  return async (image) => {
    channels.push((await sharp(image).metadata()).channels!);
    return engine.read(image);
  };
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MedstructError) return { code: error.code, message: error.message };
    throw error;
  }
  return { code: 'no error', message: '' };
}

beforeAll(async () => {
  engine = await OcrEngine.create();
});

afterEach(() => {
  process.env.PATH = savedPath;
});

describe('PDF pages that must be drawn to be read', () => {
  it('are rendered by poppler and OCRed into the right text, in page points', async () => {
    const channels: number[] = [];
    const { pages } = await ingestPages(makePdf([{ texts: TEXTS, garbled: true }]), { read: recordingReader(channels), dpi: 90 });
    expect(channels).toEqual([3]);
    const page = pages[0]!;
    expect([page.width, page.height]).toEqual([595, 842]);
    expect(page.lines.map((l) => l.text)).toEqual(['超声检查报告单', '检查结论：胆囊结石']);
    // 超 starts at x = 60 pt on the baseline 80 pt from the top, 20 pt high.
    const first = page.lines[0]!.chars[0]!.polygon;
    expect(first[0][0]).toBeGreaterThan(55);
    expect(first[0][0]).toBeLessThan(66);
    expect(first[0][1]).toBeGreaterThan(56);
    expect(first[2][1]).toBeLessThan(88);
  });

  it('fail with PDF_RENDER_FAILED, naming pdftoppm, when poppler is not installed (pdfjs draws empty boxes)', async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'medstruct-no-poppler-'));
    const channels: number[] = [];
    const failure = await codeOf(ingestPages(makePdf([{ texts: TEXTS, garbled: true }]), { read: recordingReader(channels), dpi: 90 }));
    expect(channels).toEqual([4]);
    expect(failure.code).toBe('PDF_RENDER_FAILED');
    expect(failure.message).toContain('Page 1');
    expect(failure.message).toContain('pdftoppm is not installed');
    expect(failure.message).toContain('pdfjs drew no readable text');
  });

  it('keep a short sound text layer when the drawn page reads as nothing', async () => {
    const blank = async (image: Buffer): Promise<OcrPage> => {
      const meta = await sharp(image).metadata();
      return { width: meta.width!, height: meta.height!, rotation: 0, skew: 0, lines: [] };
    };
    const { pages } = await ingestPages(makePdf([{ texts: [{ x: 60, y: 700, size: 12, text: '医师签名：王军' }] }]), { read: blank, dpi: 40 });
    expect(pages[0]!.lines.map((l) => l.text)).toEqual(['医师签名：王军']);
  });

  it('keep a blank scanned page blank instead of failing', async () => {
    const white = await sharp({ create: { width: 413, height: 585, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    const channels: number[] = [];
    const { pages } = await ingestPages(makePdf([{ texts: TEXTS }, { jpeg: white, width: 413, height: 585 }]), { read: recordingReader(channels), dpi: 50 });
    expect(pages.map((p) => p.lines.length)).toEqual([2, 0]);
  });
});
