import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Polygon } from '../src/document/types.js';
import { labRows } from '../src/layout/lab.js';
import { OcrEngine, type OcrPage } from '../src/ocr/index.js';
import { renderLabSheet, type RenderedPage } from '../scripts/make-ocr-testset.js';

let engine: OcrEngine;
let sheet: RenderedPage;
/** The sheet at 70 % (about 870 px wide, 20 px glyphs, as a phone photo of a page): quicker to read. */
let image: { png: Buffer; width: number; height: number };
let upright: OcrPage;

function centre(p: Polygon): [number, number] {
  return [(p[0][0] + p[1][0] + p[2][0] + p[3][0]) / 4, (p[0][1] + p[1][1] + p[2][1] + p[3][1]) / 4];
}

function items(page: OcrPage): string[] {
  return labRows(page).map((r) => [r.name, r.result, r.unit, r.range, r.flag ?? ''].join('|'));
}

function truth(): string[] {
  return sheet.items.map((i) => [i.name, i.result, i.unit, i.range, i.flag ?? ''].join('|'));
}

beforeAll(async () => {
  [engine, sheet] = await Promise.all([OcrEngine.create(), renderLabSheet(7, 6)]);
  const width = Math.round(sheet.width * 0.7);
  const { data, info } = await sharp(sheet.png).resize(width).png().toBuffer({ resolveWithObject: true });
  image = { png: data, width: info.width, height: info.height };
  upright = await engine.read(image.png);
});

describe('OCR of a lab sheet image', () => {
  it('reads every lab item (name, result, unit, range, flag) of an upright sheet', () => {
    expect(upright.rotation).toBe(0);
    expect(items(upright)).toEqual(truth());
    expect(upright.lines[0]!.text).toBe(sheet.lines[0]);
    for (const line of upright.lines) {
      expect(line.confidence).toBeGreaterThan(0);
      expect(line.chars.map((c) => c.char).join('')).toBe(line.text);
    }
  });

  it('places characters on their ink in original pixels', async () => {
    const { data, info } = await sharp(image.png).greyscale().raw().toBuffer({ resolveWithObject: true });
    const title = upright.lines[0]!;
    for (const ch of title.chars) {
      const xs = ch.polygon.map((p) => p[0]), ys = ch.polygon.map((p) => p[1]);
      let dark = 0;
      for (let y = Math.floor(Math.min(...ys)); y < Math.max(...ys); y++) {
        for (let x = Math.floor(Math.min(...xs)); x < Math.max(...xs); x++) if (data[y * info.width + x]! < 128) dark++;
      }
      expect(dark, `ink under ${ch.char}`).toBeGreaterThan(20);
    }
  });

  it('reads a copy turned by 90° the same and maps points back to the turned image', async () => {
    const turned = await sharp(image.png).rotate(90).png().toBuffer();
    const page = await engine.read(turned);
    expect(page.rotation).toBe(270);
    expect(page.width).toBe(image.height);
    expect(items(page)).toEqual(truth());
    // A point (x, y) of the upright sheet lies at (height − y, x) in the copy turned clockwise.
    const [ux, uy] = centre(upright.lines[0]!.chars[0]!.polygon);
    const [tx, ty] = centre(page.lines[0]!.chars[0]!.polygon);
    expect(Math.abs(tx - (image.height - uy))).toBeLessThan(5);
    expect(Math.abs(ty - ux)).toBeLessThan(5);
  });

  it('reads an upside-down copy the same', async () => {
    const page = await engine.read(await sharp(image.png).rotate(180).png().toBuffer());
    expect(page.rotation).toBe(180);
    expect(items(page)).toEqual(truth());
  });

  it('honours EXIF orientation: coordinates refer to the displayed image', async () => {
    const stored = await sharp(image.png).rotate(270).jpeg({ quality: 92 }).withMetadata({ orientation: 6 }).toBuffer();
    const page = await engine.read(stored);
    expect([page.width, page.height]).toEqual([image.width, image.height]);
    expect(page.rotation).toBe(0);
    expect(items(page)).toEqual(truth());
  });
});
