import * as ort from 'onnxruntime-node';
import type { Polygon } from '../document/types.js';
import { MedstructError } from '../errors.js';
import { orderLines } from '../layout/index.js';
import { readJsonResource } from '../resources.js';
import { extractBoxes, DEFAULT_DB_OPTIONS } from './db.js';
import { canonicalRect, composeAffine, mapPolygon, quadHeight, quadWidth, rectCorners, roundPolygon, subQuad, type Affine, type RotatedRect } from './geometry.js';
import { defaultModelFiles, readCharset, type OcrModelFiles } from './models.js';
import { decodeImage, resizeGray, rotateGray, sampleQuad, type GrayImage } from './raster.js';
import type { OcrChar, OcrEngineOptions, OcrLine, OcrPage, ReadOptions } from './types.js';

const REC_HEIGHT = 48;
const REC_MAX_WIDTH = 1600;
const REC_BATCH = 8;
/**
 * Most columns one recognition batch may hold: wide lines go in smaller batches, which keeps the activations and
 * the output (6,625 class scores per 8 columns: 8 lines 1,600 wide would be 42 MB) small.
 */
const REC_BATCH_COLUMNS = 2560;
const CLS_WIDTH = 192;
const CLS_SAMPLES = 16;
/** Glyph size relative to a detected box's height (boxes include the detector's unclip margin). */
const EM_PER_BOX_HEIGHT = 0.55;
/** A gap wider than this many ems between two glyphs splits the line into cells. */
const CELL_GAP = 1.2;
const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

interface RawLine {
  quad: Polygon;
  text: string;
  chars: Array<{ char: string; u0: number; u1: number; confidence: number }>;
}

/** Affine map from an image rotated clockwise by `quarterTurns` back to the unrotated `width × height` image. */
function unrotate(quarterTurns: number, width: number, height: number): Affine {
  switch (((quarterTurns % 4) + 4) % 4) {
    case 1: return [0, 1, 0, -1, 0, height];
    case 2: return [-1, 0, width, 0, -1, height];
    case 3: return [0, -1, width, 1, 0, 0];
    default: return [1, 0, 0, 0, 1, 0];
  }
}

interface CorrectionRule { pattern: string; replace: string }
let corrections: Array<{ pattern: RegExp; replace: string }> | null = null;

/** Applies resources/ocr/corrections.json to a line's glyphs when a fix keeps the glyph count. */
function correctGlyphs(chars: Array<{ char: string }>): void {
  corrections ??= readJsonResource<{ rules: CorrectionRule[] }>('ocr', 'corrections.json').rules.map((r) => ({ pattern: new RegExp(r.pattern, 'gu'), replace: r.replace }));
  const text = chars.map((c) => c.char).join('');
  let fixed = text;
  for (const rule of corrections) fixed = fixed.replace(rule.pattern, rule.replace);
  if (fixed === text) return;
  const glyphs = Array.from(fixed);
  if (glyphs.length !== chars.length) return;
  glyphs.forEach((g, i) => { chars[i]!.char = g; });
}

function isWide(char: string): boolean {
  return char.codePointAt(0)! >= 0x2e80;
}

/**
 * PP-OCRv4 text detection and recognition on onnxruntime, with page orientation, per-line
 * rectification, cell splitting and character positions in original-image pixels.
 */
export class OcrEngine {
  private constructor(
    private readonly detector: ort.InferenceSession,
    private readonly recognizer: ort.InferenceSession,
    private readonly direction: ort.InferenceSession,
    private readonly charset: string[],
    private readonly options: Required<OcrEngineOptions>,
  ) {}

  static async create(options: OcrEngineOptions = {}, files: OcrModelFiles = defaultModelFiles()): Promise<OcrEngine> {
    const threads = options.threads ?? 2;
    // No memory arena (peak RSS ~40 % lower) and no spin-waiting threads (they burn shared cores in a busy server).
    const session: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential', enableCpuMemArena: false, enableMemPattern: false, extra: { session: { intra_op: { allow_spinning: '0' } } } };
    const [det, rec, cls] = await Promise.all([
      ort.InferenceSession.create(files.detection, session),
      ort.InferenceSession.create(files.recognition, session),
      ort.InferenceSession.create(files.direction, session),
    ]);
    return new OcrEngine(det, rec, cls, readCharset(files.dictionary), { threads, maxSide: options.maxSide ?? 2400, detectionSide: options.detectionSide ?? 1280 });
  }

  /** Reads one image file (JPEG, PNG, WebP, TIFF…). */
  async read(bytes: Buffer, options: ReadOptions = {}): Promise<OcrPage> {
    const image = await decodeImage(bytes, this.options.maxSide);
    return this.readGray(image.work, image.width, image.height, options);
  }

  /**
   * Reads a grey working image that shows an original of `width × height` pixels (uniformly scaled).
   * Output coordinates are in the original's pixels.
   */
  async readGray(work: GrayImage, width: number, height: number, options: ReadOptions = {}): Promise<OcrPage> {
    const scale = width / work.width;
    let quarter = 0;
    let raster = work;
    const detected = await this.detect(raster);
    let rects = detected;
    if (options.orientation !== false && this.mostlyVertical(rects)) {
      // Turn the page a quarter clockwise; the boxes turn with it (detection need not run again).
      quarter = 1;
      raster = rotateGray(work, 1);
      rects = detected.map((r) => canonicalRect({ cx: work.height - r.cy, cy: r.cx, width: r.width, height: r.height, angle: r.angle + Math.PI / 2 }));
    }
    let quads = rects.map((r) => rectCorners(this.horizontal(r)));
    if (options.orientation !== false && quads.length > 0 && (await this.upsideDown(raster, quads))) {
      quarter += 2;
      const flip = unrotate(2, raster.width, raster.height);
      raster = rotateGray(raster, 2);
      quads = quads.map((q) => {
        const m = mapPolygon(flip, q);
        return [m[2], m[3], m[0], m[1]] as Polygon;
      });
    }
    const raw = await this.recognize(raster, quads);
    const toOriginal = composeAffine([scale, 0, 0, 0, scale, 0], unrotate(quarter, work.width, work.height));
    const lines: OcrLine[] = [];
    for (const line of raw) {
      for (const piece of this.splitCells(line)) {
        correctGlyphs(piece.chars);
        const chars: OcrChar[] = piece.chars.map((c) => ({
          char: c.char,
          polygon: roundPolygon(mapPolygon(toOriginal, subQuad(line.quad, c.u0, c.u1))),
          confidence: Math.round(c.confidence * 1000) / 1000,
        }));
        const scored = piece.chars.filter((c) => c.char !== ' ');
        const confidence = scored.reduce((s, c) => s + c.confidence, 0) / Math.max(1, scored.length);
        const u0 = piece.chars[0]!.u0, u1 = piece.chars[piece.chars.length - 1]!.u1;
        lines.push({
          text: piece.chars.map((c) => c.char).join(''),
          confidence: Math.round(confidence * 1000) / 1000,
          polygon: roundPolygon(mapPolygon(toOriginal, subQuad(line.quad, u0, u1))),
          chars,
        });
      }
    }
    const page: OcrPage = { width, height, rotation: (quarter * 90) % 360, skew: 0, lines };
    return orderLines(page);
  }

  /** Text-line rectangles in `image`'s pixels. */
  private async detect(image: GrayImage): Promise<RotatedRect[]> {
    const long = Math.max(image.width, image.height);
    const target = Math.min(this.options.detectionSide, Math.max(long, 960));
    const factor = target / long;
    const dw = Math.max(32, Math.round((image.width * factor) / 32) * 32);
    const dh = Math.max(32, Math.round((image.height * factor) / 32) * 32);
    const resized = await resizeGray(image, dw, dh);
    const plane = dw * dh;
    const input = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) {
      const v = resized.data[i]! / 255;
      input[i] = (v - DET_MEAN[0]!) / DET_STD[0]!;
      input[i + plane] = (v - DET_MEAN[1]!) / DET_STD[1]!;
      input[i + 2 * plane] = (v - DET_MEAN[2]!) / DET_STD[2]!;
    }
    const output = await this.detector.run({ x: new ort.Tensor('float32', input, [1, 3, dh, dw]) });
    const prob = output[this.detector.outputNames[0]!]!.data as Float32Array;
    const sx = image.width / dw, sy = image.height / dh;
    return extractBoxes(prob, dw, dh, DEFAULT_DB_OPTIONS).map((b) => {
      // Rescale through the corners: x and y may scale slightly differently.
      const ux = Math.cos(b.angle) * sx, uy = Math.sin(b.angle) * sy;
      const vx = -Math.sin(b.angle) * sx, vy = Math.cos(b.angle) * sy;
      return { cx: b.cx * sx, cy: b.cy * sy, width: b.width * Math.hypot(ux, uy), height: b.height * Math.hypot(vx, vy), angle: Math.atan2(uy, ux) };
    });
  }

  /** Whether most elongated boxes run vertically: the page is turned by 90° or 270°. */
  private mostlyVertical(rects: RotatedRect[]): boolean {
    let vertical = 0, horizontal = 0;
    for (const r of rects) {
      if (r.width < 2.5 * r.height) continue;
      if (Math.abs(r.angle) > Math.PI / 4) vertical += r.width;
      else horizontal += r.width;
    }
    return vertical > horizontal;
  }

  /** Near-square boxes (single glyphs) take the page's horizontal as their reading direction. */
  private horizontal(rect: RotatedRect): RotatedRect {
    if (Math.abs(rect.angle) <= Math.PI / 4 || rect.width > 1.5 * rect.height) return rect;
    const angle = rect.angle > 0 ? rect.angle - Math.PI / 2 : rect.angle + Math.PI / 2;
    return { ...rect, width: rect.height, height: rect.width, angle };
  }

  /** Votes with the direction classifier on the longest lines whether the page is upside down. */
  private async upsideDown(image: GrayImage, quads: Polygon[]): Promise<boolean> {
    const sample = quads
      .map((q) => ({ q, w: quadWidth(q), h: quadHeight(q) }))
      .filter((s) => s.w > 2 * s.h && s.h > 4)
      .sort((a, b) => b.w - a.w)
      .slice(0, CLS_SAMPLES);
    if (sample.length === 0) return false;
    const plane = REC_HEIGHT * CLS_WIDTH;
    const input = new Float32Array(sample.length * 3 * plane);
    sample.forEach((s, n) => {
      const w = Math.min(CLS_WIDTH, Math.max(8, Math.round((REC_HEIGHT * s.w) / s.h)));
      sampleQuad(image, s.q, w, REC_HEIGHT, input, n * 3 * plane, CLS_WIDTH);
    });
    const output = await this.direction.run({ x: new ort.Tensor('float32', input, [sample.length, 3, REC_HEIGHT, CLS_WIDTH]) });
    const prob = output[this.direction.outputNames[0]!]!.data as Float32Array;
    let flipped = 0;
    for (let n = 0; n < sample.length; n++) flipped += prob[n * 2 + 1]! - prob[n * 2]!;
    return flipped > 0;
  }

  /** Recognises every quad, batching lines of similar width (up to REC_BATCH lines, REC_BATCH_COLUMNS columns). */
  private async recognize(image: GrayImage, quads: Polygon[]): Promise<RawLine[]> {
    const items = quads
      .map((quad) => ({ quad, width: Math.min(REC_MAX_WIDTH, Math.max(REC_HEIGHT / 2, Math.round((REC_HEIGHT * quadWidth(quad)) / Math.max(1, quadHeight(quad))))) }))
      .filter((item) => quadHeight(item.quad) >= 4)
      .sort((a, b) => a.width - b.width);
    const lines: RawLine[] = [];
    for (let start = 0, end = 0; start < items.length; start = end) {
      end = start + 1;
      while (end < items.length && end - start < REC_BATCH && (end - start + 1) * items[end]!.width <= REC_BATCH_COLUMNS) end++;
      const batch = items.slice(start, end);
      const batchWidth = Math.ceil(batch[batch.length - 1]!.width / 8) * 8;
      const plane = REC_HEIGHT * batchWidth;
      const input = new Float32Array(batch.length * 3 * plane);
      batch.forEach((item, n) => sampleQuad(image, item.quad, item.width, REC_HEIGHT, input, n * 3 * plane, batchWidth));
      const output = await this.recognizer.run({ x: new ort.Tensor('float32', input, [batch.length, 3, REC_HEIGHT, batchWidth]) });
      const tensor = output[this.recognizer.outputNames[0]!]!;
      const [, steps, classes] = tensor.dims as [number, number, number];
      const data = tensor.data as Float32Array;
      batch.forEach((item, n) => {
        const probs = data.subarray(n * steps * classes, (n + 1) * steps * classes);
        const line = this.decode(probs, steps, classes, batchWidth / steps / item.width, REC_HEIGHT / item.width);
        if (line.chars.length > 0) lines.push({ quad: item.quad, ...line });
      });
    }
    return lines;
  }

  /**
   * Greedy CTC decoding. Each character keeps the span of time steps where it peaked; `stepU` converts a
   * step to a fraction of the line's width. Glyph extents are estimated from those centres.
   */
  private decode(probs: Float32Array, steps: number, classes: number, stepU: number, heightU: number): Omit<RawLine, 'quad'> {
    const runs: Array<{ char: string; first: number; last: number; confidence: number }> = [];
    let previous = 0;
    for (let t = 0; t < steps; t++) {
      let best = 0, bestP = -1;
      const row = t * classes;
      for (let c = 0; c < classes; c++) {
        const p = probs[row + c]!;
        if (p > bestP) { bestP = p; best = c; }
      }
      if (best !== 0 && best === previous) {
        const run = runs[runs.length - 1]!;
        run.last = t;
        run.confidence = Math.max(run.confidence, bestP);
      } else if (best !== 0) {
        runs.push({ char: this.charset[best] ?? '', first: t, last: t, confidence: bestP });
      }
      previous = best;
    }
    while (runs.length > 0 && runs[0]!.char === ' ') runs.shift();
    while (runs.length > 0 && runs[runs.length - 1]!.char === ' ') runs.pop();
    // CJK glyphs are about as wide as the line is high, Latin letters and digits about half that.
    const centres = runs.map((r) => ((r.first + r.last + 1) / 2) * stepU);
    const em = EM_PER_BOX_HEIGHT * heightU;
    const halves = runs.map((r) => (isWide(r.char) ? 0.5 : r.char === ' ' ? 0.15 : 0.3) * em);
    const chars = runs.map((r, i) => {
      const left = Math.max(centres[i]! - halves[i]!, i > 0 ? (centres[i - 1]! + centres[i]!) / 2 : 0, 0);
      const right = Math.min(centres[i]! + halves[i]!, i + 1 < runs.length ? (centres[i]! + centres[i + 1]!) / 2 : 1, 1);
      return { char: r.char, u0: left, u1: Math.max(right, left), confidence: r.confidence };
    });
    return { text: chars.map((c) => c.char).join(''), chars };
  }

  /** Splits a recognised line where the gap between two glyphs exceeds CELL_GAP ems. */
  private splitCells(line: RawLine): Array<{ chars: RawLine['chars'] }> {
    const em = (EM_PER_BOX_HEIGHT * quadHeight(line.quad)) / Math.max(1, quadWidth(line.quad));
    const pieces: Array<{ chars: RawLine['chars'] }> = [];
    let current: RawLine['chars'] = [];
    for (const c of line.chars) {
      const last = current.findLast((k) => k.char !== ' ');
      if (last && c.char !== ' ' && c.u0 - last.u1 > CELL_GAP * em) {
        pieces.push({ chars: current });
        current = [];
      }
      if (c.char === ' ' && current.length === 0) continue;
      current.push(c);
    }
    if (current.length > 0) pieces.push({ chars: current });
    for (const piece of pieces) {
      while (piece.chars.length > 0 && piece.chars[piece.chars.length - 1]!.char === ' ') piece.chars.pop();
    }
    return pieces.filter((p) => p.chars.length > 0);
  }

  async release(): Promise<void> {
    await Promise.all([this.detector.release(), this.recognizer.release(), this.direction.release()]);
  }
}

export function assertHasText(page: OcrPage): OcrPage {
  if (page.lines.length === 0) throw new MedstructError('IMAGE_HAS_NO_TEXT');
  return page;
}
