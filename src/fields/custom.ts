import type { FieldValue } from '../document/types.js';
import { MedstructError } from '../errors.js';
import { isSectionKey } from '../sections/keys.js';
import { ENTITY_TYPES, isEntityType, type EntityType } from '../taxonomy/taxonomy.js';
import { clauses, escapeRegExp, fieldValue, matchAll, sectionRegions, u16Of, wholeRegion, type Region, type Source } from './source.js';

/**
 * A user-defined field (from `--fields FILE`): what to look for (entities of a type, keywords, a regex),
 * where (sections), and how many values to keep.
 */
export interface CustomFieldSpec {
  name: string;
  /** Take entities of this type (from the entity stage). */
  entityType?: EntityType;
  /** With a colon after it (过敏史：…) the value is what follows; otherwise the clause holding the keyword. */
  keywords?: string[];
  /** A JavaScript regular expression; the value is the named group `value`, else group 1, else the match. */
  regex?: string;
  /** Section keys to search (default: the whole document). */
  section?: string | string[];
  /** `one` (default): the first value or null; `many`: every value. */
  cardinality?: 'one' | 'many';
  description?: string;
}

const MAX_REGEX_LENGTH = 500;
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,)/;

const KNOWN_KEYS = ['name', 'entityType', 'keywords', 'regex', 'section', 'cardinality', 'description'] as const;

function invalid(index: number, name: unknown, message: string): MedstructError {
  const label = typeof name === 'string' ? `"${name}"` : `#${index + 1}`;
  return new MedstructError('INVALID_ARGUMENT', `Custom field ${label}: ${message}`);
}

/** Validates a field specification file's content: an array of specs or `{ "fields": [...] }`. */
export function parseCustomFields(json: unknown): CustomFieldSpec[] {
  const list = Array.isArray(json) ? json : json !== null && typeof json === 'object' && Array.isArray((json as { fields?: unknown }).fields) ? (json as { fields: unknown[] }).fields : null;
  if (list === null) throw new MedstructError('INVALID_ARGUMENT', 'A field specification is a JSON array of fields, or an object with a "fields" array');
  const names = new Set<string>();
  return list.map((raw, index): CustomFieldSpec => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalid(index, undefined, 'must be an object');
    const spec = raw as Record<string, unknown>;
    for (const key of Object.keys(spec)) {
      if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
        throw new MedstructError('UNKNOWN_FIELD', `Custom field ${typeof spec.name === 'string' ? `"${spec.name}"` : `#${index + 1}`} has an unknown key "${key}"; known keys: ${KNOWN_KEYS.join(', ')}`, { key, field: spec.name ?? index + 1 });
      }
    }
    const { name, entityType, keywords, regex, section, cardinality, description } = spec;
    if (typeof name !== 'string' || !/^[\p{L}\p{N}_.-]{1,64}$/u.test(name)) throw invalid(index, name, '"name" must be 1-64 letters, digits, _ . -');
    if (names.has(name)) throw invalid(index, name, 'the name is used twice');
    names.add(name);
    if (entityType !== undefined && (typeof entityType !== 'string' || !isEntityType(entityType))) throw invalid(index, name, `"entityType" must be one of ${ENTITY_TYPES.join(', ')}`);
    if (keywords !== undefined && (!Array.isArray(keywords) || keywords.length === 0 || !keywords.every((k) => typeof k === 'string' && k.trim() !== ''))) throw invalid(index, name, '"keywords" must be a non-empty array of non-empty strings');
    if (regex !== undefined) {
      if (typeof regex !== 'string' || regex === '') throw invalid(index, name, '"regex" must be a non-empty string');
      try { new RegExp(regex, 'u'); } catch (error) { throw invalid(index, name, `"regex" is not a valid regular expression (${(error as Error).message})`); }
      // Specs may come from API callers: refuse patterns whose matching time can explode.
      if (regex.length > MAX_REGEX_LENGTH) throw invalid(index, name, `"regex" is longer than ${MAX_REGEX_LENGTH} characters`);
      if (NESTED_QUANTIFIER.test(regex)) throw invalid(index, name, '"regex" repeats a group that itself repeats (like (a+)+), which can take exponential time');
    }
    if (entityType === undefined && keywords === undefined && regex === undefined) throw invalid(index, name, 'needs "entityType", "keywords" or "regex"');
    const sections = section === undefined ? [] : Array.isArray(section) ? section : [section];
    for (const s of sections) if (typeof s !== 'string' || !isSectionKey(s)) throw invalid(index, name, `unknown section key ${JSON.stringify(s)}`);
    if (cardinality !== undefined && cardinality !== 'one' && cardinality !== 'many') throw invalid(index, name, '"cardinality" must be "one" or "many"');
    if (description !== undefined && typeof description !== 'string') throw invalid(index, name, '"description" must be a string');
    const out: CustomFieldSpec = { name, cardinality: (cardinality as 'one' | 'many' | undefined) ?? 'one' };
    if (entityType !== undefined) out.entityType = entityType as EntityType;
    if (keywords !== undefined) out.keywords = keywords as string[];
    if (regex !== undefined) out.regex = regex;
    if (sections.length > 0) out.section = sections as string[];
    if (description !== undefined) out.description = description;
    return out;
  });
}

const compiled = new WeakMap<CustomFieldSpec, { regex: RegExp | null; keywords: RegExp | null }>();

function patterns(spec: CustomFieldSpec): { regex: RegExp | null; keywords: RegExp | null } {
  let p = compiled.get(spec);
  if (!p) {
    p = {
      regex: spec.regex ? new RegExp(spec.regex, 'gdu') : null,
      keywords: spec.keywords ? new RegExp(`(?:${spec.keywords.map(escapeRegExp).join('|')})(?<colon>\\s*[:：])?`, 'g') : null,
    };
    compiled.set(spec, p);
  }
  return p;
}

const overlapsAny = (regions: Region[], start: number, end: number): boolean => regions.some((r) => start < r.end && end > r.start);

function valuesOf(src: Source, spec: CustomFieldSpec): FieldValue[] {
  const sections = spec.section ? (Array.isArray(spec.section) ? spec.section : [spec.section]) : [];
  const regions = sections.length > 0 ? sectionRegions(src, ...sections) : [wholeRegion(src)];
  const { regex, keywords } = patterns(spec);
  const out: FieldValue[] = [];
  // Keyword clauses restrict entity matches when both are given.
  const keywordClauses: Region[] = [];
  for (const region of regions) {
    for (const clause of keywords ? clauses(src, region, /[。；;\n，,]/) : []) {
      for (const m of matchAll(src, clause, keywords!)) {
        keywordClauses.push(clause);
        if (spec.entityType) break;
        if (m.groups?.colon) {
          const start = m.pos + m[0].length;
          if (clause.end > start) out.push(fieldValue(src, start, clause.end, src.text.slice(start, clause.end).trim(), clause));
        } else {
          out.push(fieldValue(src, clause.start, clause.end, src.text.slice(clause.start, clause.end), clause));
        }
        break;
      }
    }
    if (regex) {
      for (const m of matchAll(src, region, regex)) {
        const g = m.indices?.groups?.value ?? m.indices?.[1];
        const start = g ? region.start + g[0] : m.pos;
        const end = g ? region.start + g[1] : m.pos + m[0].length;
        out.push(fieldValue(src, start, end, src.text.slice(start, end), { start: m.pos, end: m.pos + m[0].length }));
      }
    }
  }
  if (spec.entityType) {
    for (const e of src.doc.entities) {
      if (e.type !== spec.entityType) continue;
      const start = u16Of(src, e.start);
      const end = u16Of(src, e.end);
      if (!overlapsAny(regions, start, end)) continue;
      if (keywords && !overlapsAny(keywordClauses, start, end)) continue;
      out.push(fieldValue(src, start, end, e.link?.name ?? e.text));
    }
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}

/** Values of each custom field: a FieldValue (or null) for `one`, an array for `many`. */
export function extractCustom(src: Source, specs: readonly CustomFieldSpec[]): Record<string, FieldValue | FieldValue[] | null> {
  const out: Record<string, FieldValue | FieldValue[] | null> = {};
  for (const spec of specs) {
    const values = valuesOf(src, spec);
    out[spec.name] = spec.cardinality === 'many' ? values : (values[0] ?? null);
  }
  return out;
}
