import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { fieldValue, matchAll, sectionValue, trimSpan, wholeRegion, type Source } from './source.js';

interface LeafletSchema {
  sections: Record<string, string>;
  headers: Record<string, string>;
  genericNamePattern: string;
  brandNamePattern: string;
}

const schema = readJsonResource<LeafletSchema>('fields', 'leaflet.json');
const HEADER_RE = /【\s*(?<name>[^】]{2,14})\s*】/g;
const GENERIC_RE = new RegExp(schema.genericNamePattern, 'dg');
const BRAND_RE = new RegExp(schema.brandNamePattern, 'dg');

function named(src: Source, re: RegExp): FieldValue | null {
  for (const m of matchAll(src, wholeRegion(src), re)) {
    const v = m.indices!.groups!.value!;
    return fieldValue(src, v[0], v[1], m.groups!.value!.trim(), { start: m.pos, end: m.pos + m[0].length });
  }
  return null;
}

/** The label sections of a drug leaflet, from the sections stage or, failing it, from its 【】 headers. */
export function extractLeaflet(src: Source): Record<string, unknown> {
  const out: Record<string, FieldValue | null> = {};
  for (const [field, key] of Object.entries(schema.sections)) out[field] = sectionValue(src, key);
  if (Object.values(out).every((v) => v === null)) {
    const headers = [...matchAll(src, wholeRegion(src), HEADER_RE)];
    headers.forEach((h, k) => {
      const field = schema.headers[h.groups!.name!.replace(/\s+/g, '')];
      if (!field || out[field]) return;
      const body = trimSpan(src.text, h.pos + h[0].length, headers[k + 1]?.pos ?? src.text.length);
      if (body.end > body.start) out[field] = fieldValue(src, body.start, body.end, src.text.slice(body.start, body.end).replace(/\s+/g, ' '), body);
    });
  }
  return { ...out, genericName: named(src, GENERIC_RE), brandName: named(src, BRAND_RE) };
}
