/**
 * The shared vocabulary of the pipeline. Every offset in these structures is a code-point offset
 * into the caller's ORIGINAL text, `end` exclusive, unless a name says `norm` (normalized view).
 */
import type { EntityType } from '../taxonomy/taxonomy.js';

export interface Span {
  start: number;
  end: number;
}

/** A point in image pixels of the original (un-rotated, un-scaled) image. */
export type Point = [number, number];
/** Four corners, clockwise from top-left, in original-image pixels. */
export type Polygon = [Point, Point, Point, Point];

export interface Sentence extends Span {
  normStart: number;
  normEnd: number;
}

export interface Section extends Span {
  /** Stable key such as `chief_complaint`, `findings`, `impression`. */
  key: string;
  /** The header as written, when the section had one. */
  title: string | null;
  /** Span of the header text itself, when present. */
  header: Span | null;
}

export type Certainty = 'positive' | 'negative' | 'possible';
export type Temporality = 'current' | 'past' | 'future';
export type Subject = 'patient' | 'family' | 'other';

export interface Assertion {
  certainty: Certainty;
  temporality: Temporality;
  subject: Subject;
  conditional: boolean;
  /** Confidence of each axis' value, 0..1. */
  confidence: { certainty: number; temporality: number; subject: number; conditional: number };
  /** The trigger phrases that decided non-default values, as spans of the original text. */
  triggers: Array<Span & { text: string; axis: keyof Omit<Assertion, 'confidence' | 'triggers'> }>;
}

export interface Link {
  /** Concept id in the knowledge graph. */
  id: string;
  /** The standard term. */
  name: string;
  /** The concept's type in the knowledge graph (disease, symptom, drug, hospital, …). */
  type: string;
  /** Codes by system: `icd10`, `icd9cm3`, … */
  codes: Record<string, string>;
  score: number;
}

export type EntitySource = 'model' | 'dictionary' | 'rule';

export interface Entity extends Span {
  id: string;
  text: string;
  type: EntityType;
  /** The label in the scheme of the model that produced it (e.g. cmeee `ite`), when a scheme-specific model did. */
  label?: string;
  confidence: number;
  source: EntitySource;
  /** Id of the smallest entity that strictly contains this one, if any. */
  parent: string | null;
  /** Ids of the entities directly nested inside this one. */
  children: string[];
  assertion: Assertion | null;
  link: Link | null;
}

export interface Relation {
  type: string;
  from: string;
  to: string;
  confidence: number;
}

/** One field value with its evidence. */
export interface FieldValue extends Span {
  value: string;
  normalized: string | number | null;
  src: string;
  page?: number;
  polygon?: Polygon;
}

/** A character placed on a page, for OCR and PDF input. */
export interface PlacedChar {
  char: string;
  polygon: Polygon;
}

export interface PageLine {
  text: string;
  confidence: number;
  polygon: Polygon;
  chars: PlacedChar[];
}

export interface Page {
  /** 1-based page number. */
  number: number;
  width: number;
  height: number;
  lines: PageLine[];
  /** Offset in the document's original text where this page's text starts. */
  textStart: number;
  textEnd: number;
}
