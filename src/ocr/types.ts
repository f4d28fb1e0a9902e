import type { Polygon } from '../document/types.js';

export interface OcrChar {
  char: string;
  /** Corners in original-image pixels, in reading direction (top-left of the glyph first). */
  polygon: Polygon;
  confidence: number;
}

export interface OcrLine {
  text: string;
  /** Mean character confidence, 0..1. Low-confidence lines are kept; callers filter if they wish. */
  confidence: number;
  polygon: Polygon;
  chars: OcrChar[];
}

export interface OcrPage {
  /** Size of the original image after EXIF orientation (or of the rendered PDF page). */
  width: number;
  height: number;
  /** Clockwise rotation, in degrees (0, 90, 180, 270), that made the page upright. */
  rotation: number;
  /** Residual skew of the upright page's text lines, in degrees (positive = clockwise). */
  skew: number;
  /** Lines in reading order. */
  lines: OcrLine[];
}

export interface OcrResult {
  pages: OcrPage[];
}

export interface OcrEngineOptions {
  /** Threads onnxruntime may use inside one inference (default 2). */
  threads?: number;
  /** Longest side of the working copy; larger images are downscaled (default 2400). */
  maxSide?: number;
  /** Longest side of the detector's input (default 1280). */
  detectionSide?: number;
}

export interface ReadOptions {
  /** Detect page rotation (90/180/270). Default true. */
  orientation?: boolean;
}
