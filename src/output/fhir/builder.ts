import { createHash } from 'node:crypto';
import type { Assertion, FieldValue, Polygon, Span } from '../../document/types.js';
import { EXTENSION, SYSTEM } from './codes.js';

export type Json = Record<string, unknown>;

export interface Resource extends Json {
  resourceType: string;
  id: string;
}

export interface Reference {
  reference: string;
  display?: string;
}

/** Where a resource came from in the original text (code-point offsets, end exclusive). */
export interface SourceSpan extends Span {
  text: string;
  page?: number | null;
  polygon?: Polygon | null;
  /** The field the span filled, for resources built from several fields (Patient). */
  field?: string;
  confidence?: number;
}

/** The document the bundle describes: its text, and pages/polygons when it came from an image or PDF. */
export interface SourceDocument {
  text: string;
  slice?(start: number, end: number): string;
  pageOf?(offset: number): number | null;
  polygonOf?(start: number, end: number): Polygon | null;
}

export interface Entry {
  fullUrl: string;
  resource: Resource;
  /** The span that places the resource in a Composition section. */
  anchor: Span | null;
}

/**
 * Collects a bundle's resources. Ids are UUIDs derived from a hash of the input and a stable key per
 * resource, so the same input always gives the same bundle.
 */
export class BundleBuilder {
  readonly entries: Entry[] = [];
  private readonly keys = new Set<string>();
  private readonly chars: string[];

  constructor(readonly seed: string, private readonly source: SourceDocument) {
    this.chars = Array.from(source.text);
  }

  uuid(key: string): string {
    const hex = createHash('sha256').update(`${this.seed}\u0000${key}`).digest('hex');
    // RFC 9562 layout: version 8 (custom), variant 10.
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** Adds a resource under a key unique within the bundle; returns the reference to it. */
  add(key: string, resourceType: string, body: Json, anchor: Span | null = null): Reference {
    if (this.keys.has(key)) throw new Error(`Duplicate FHIR resource key ${key}`);
    this.keys.add(key);
    const id = this.uuid(key);
    const fullUrl = `urn:uuid:${id}`;
    const defined = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
    this.entries.push({ fullUrl, resource: { resourceType, id, ...defined }, anchor });
    return { reference: fullUrl };
  }

  referenceTo(key: string): Reference {
    return { reference: `urn:uuid:${this.uuid(key)}` };
  }

  text(start: number, end: number): string {
    return this.source.slice ? this.source.slice(start, end) : this.chars.slice(start, end).join('');
  }

  /** The span of a field value, with the page and polygon it carries or the document knows. */
  spanOfField(value: FieldValue, field?: string): SourceSpan {
    return {
      start: value.start, end: value.end, text: this.text(value.start, value.end),
      page: value.page ?? this.source.pageOf?.(value.start) ?? null,
      polygon: value.polygon ?? this.source.polygonOf?.(value.start, value.end) ?? null,
      ...(field ? { field } : {}),
    };
  }

  spanOf(start: number, end: number, confidence?: number): SourceSpan {
    return {
      start, end, text: this.text(start, end),
      page: this.source.pageOf?.(start) ?? null,
      polygon: this.source.polygonOf?.(start, end) ?? null,
      ...(confidence !== undefined ? { confidence } : {}),
    };
  }
}

export function sourceSpanExtension(span: SourceSpan): Json {
  const parts: Json[] = [
    { url: 'start', valueInteger: span.start },
    { url: 'end', valueInteger: span.end },
  ];
  if (span.text.trim() !== '') parts.push({ url: 'text', valueString: span.text });
  if (span.page) parts.push({ url: 'page', valuePositiveInt: span.page });
  if (span.polygon) parts.push({ url: 'polygon', valueString: span.polygon.map(([x, y]) => `${x},${y}`).join(' ') });
  if (span.field) parts.push({ url: 'field', valueString: span.field });
  if (span.confidence !== undefined) parts.push({ url: 'confidence', valueDecimal: Math.round(span.confidence * 10000) / 10000 });
  return { url: EXTENSION.sourceSpan, extension: parts };
}

export function assertionExtension(assertion: Pick<Assertion, 'certainty' | 'temporality' | 'subject' | 'conditional'>): Json {
  return {
    url: EXTENSION.assertion,
    extension: [
      { url: 'certainty', valueCode: assertion.certainty },
      { url: 'temporality', valueCode: assertion.temporality },
      { url: 'subject', valueCode: assertion.subject },
      { url: 'conditional', valueBoolean: assertion.conditional },
    ],
  };
}

export function dataAbsent(reason: 'masked'): Json {
  return { extension: [{ url: EXTENSION.dataAbsentReason, valueCode: reason }] };
}

/** A field value as medstruct stores it (value, normalized, evidence span). */
export function isFieldValue(x: unknown): x is FieldValue {
  return typeof x === 'object' && x !== null && typeof (x as FieldValue).value === 'string' && typeof (x as FieldValue).start === 'number' && typeof (x as FieldValue).end === 'number';
}

export function fieldAt(record: unknown, path: string): unknown {
  let at: unknown = record;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** The normalized value of a field as text (the value as written when nothing was normalized). */
export function textOf(value: FieldValue): string {
  return value.normalized === null || value.normalized === '' ? value.value : String(value.normalized);
}

/** Text that de-identification masked (＊＊＊, [姓名], <NAME>) carries no usable value. */
export function isMasked(text: string): boolean {
  return /[＊*]{2,}|^[＊*]$|^\[[^\]]+\]$|^<[^>]+>$/.test(text.trim());
}

/**
 * A FHIR dateTime from medstruct's `YYYY-MM-DD[ HH:MM[:SS]]`; a time gets the given zone offset, as FHIR
 * requires one whenever hours are present.
 */
export function fhirDateTime(value: string, timezone: string): string | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?)?)?$/.exec(value.trim());
  if (!m) return null;
  if (m[4] === undefined) return [m[1], m[2], m[3]].filter((p) => p !== undefined).join('-');
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${timezone}`;
}

/** A FHIR instant (full time required), or null for a date without time. */
export function fhirInstant(value: string, timezone: string): string | null {
  const dateTime = fhirDateTime(value, timezone);
  return dateTime !== null && dateTime.includes('T') ? dateTime : null;
}

export function xhtmlDiv(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br/>');
  return `<div xmlns="http://www.w3.org/1999/xhtml">${escaped}</div>`;
}

export const identifierOf = (value: string): Json => ({ system: SYSTEM.identifierUri, value });
