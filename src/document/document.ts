import { normalizeText, type TextView } from './normalize.js';
import { splitSentences } from './sentences.js';
import type { Entity, Page, Polygon, Relation, Section, Sentence, Span } from './types.js';

/** Splits a string into Unicode code points (so 𠮷 and emoji count as one character). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

export interface DocumentOptions {
  /** Longest sentence window, in characters, that stages process at once. */
  maxSentenceLength?: number;
  /** For images and PDFs: the pages with their lines; `text` is then the pages' lines joined. */
  pages?: Page[];
  /** For image/PDF input: polygon of each original code point (null for the separators the joiner added). */
  charPolygons?: Array<Polygon | null>;
  /** Page number (1-based) of each original code point, for image/PDF input. */
  charPages?: Int32Array;
}

/**
 * One document as it flows through the pipeline. Stages read `norm` (the normalized view) and write
 * annotations in original code-point offsets, converting with `fromNorm`.
 */
export class MedDocument {
  readonly text: string;
  readonly chars: readonly string[];
  readonly norm: TextView;
  readonly sentences: Sentence[];
  readonly pages: Page[];
  readonly charPolygons: Array<Polygon | null> | null;
  readonly charPages: Int32Array | null;
  sections: Section[] = [];
  entities: Entity[] = [];
  relations: Relation[] = [];
  /** Report type classification, set by the classify stage. */
  classification: unknown = null;
  /** Structured fields by report type, set by the fields stage. */
  fields: Record<string, unknown> = {};
  private nextEntityNumber = 0;

  constructor(text: string, options: DocumentOptions = {}) {
    this.text = text;
    this.chars = codePoints(text);
    this.norm = normalizeText(this.chars);
    this.sentences = splitSentences(this.norm.chars, options.maxSentenceLength).map((s) => ({
      ...this.fromNorm(s.start, s.end),
      normStart: s.start,
      normEnd: s.end,
    }));
    this.pages = options.pages ?? [];
    this.charPolygons = options.charPolygons ?? null;
    this.charPages = options.charPages ?? null;
  }

  get length(): number {
    return this.chars.length;
  }

  /** Original-text span of the normalized span [normStart, normEnd). */
  fromNorm(normStart: number, normEnd: number): Span {
    if (normEnd <= normStart) {
      const at = this.norm.toOriginal[normStart]!;
      return { start: at, end: at };
    }
    return { start: this.norm.toOriginal[normStart]!, end: this.norm.toOriginal[normEnd - 1]! + 1 };
  }

  /** Normalized span covering the original span [start, end). */
  toNorm(start: number, end: number): Span {
    return { start: this.norm.fromOriginal[start]!, end: this.norm.fromOriginal[end]! };
  }

  /** The original text of a span (code-point offsets). */
  slice(start: number, end: number): string {
    return this.chars.slice(start, end).join('');
  }

  /** Index of the sentence holding normalized offset `normOffset` (sentences are sorted and cover the text). */
  sentenceIndexAt(normOffset: number): number {
    const sentences = this.sentences;
    let lo = 0;
    let hi = sentences.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (sentences[mid]!.normStart <= normOffset) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(lo, 0);
  }

  /** A fresh entity id, unique within this document. */
  newEntityId(): string {
    return `T${++this.nextEntityNumber}`;
  }

  /** Axis-aligned bounding polygon of the original span, when the document came from an image or PDF. */
  polygonOf(start: number, end: number): Polygon | null {
    if (!this.charPolygons) return null;
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = start; i < end; i++) {
      const poly = this.charPolygons[i];
      if (!poly) continue;
      for (const [x, y] of poly) {
        if (x < minX) minX = x;
        if (y < minY) minY = y;
        if (x > maxX) maxX = x;
        if (y > maxY) maxY = y;
      }
    }
    if (minX === Infinity) return null;
    return [[minX, minY], [maxX, minY], [maxX, maxY], [minX, maxY]];
  }

  /** 1-based page of an original offset, when the document came from pages. */
  pageOf(offset: number): number | null {
    return this.charPages ? (this.charPages[offset] ?? null) : null;
  }

  /**
   * Recomputes `parent`/`children` from span containment and sorts entities by start, longer first.
   * Stages that add or remove entities call this so nesting stays consistent.
   */
  rebuildNesting(): void {
    const list = this.entities;
    list.sort((a, b) => a.start - b.start || b.end - a.end);
    for (const e of list) { e.parent = null; e.children = []; }
    const open: typeof list = [];
    for (const e of list) {
      while (open.length > 0 && open[open.length - 1]!.end <= e.start) open.pop();
      // The innermost open entity that contains e (and is not e's exact duplicate span of the same type).
      for (let k = open.length - 1; k >= 0; k--) {
        const p = open[k]!;
        if (p.start <= e.start && e.end <= p.end && !(p.start === e.start && p.end === e.end)) {
          e.parent = p.id;
          p.children.push(e.id);
          break;
        }
      }
      open.push(e);
    }
  }
}
