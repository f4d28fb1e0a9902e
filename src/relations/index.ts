import type { MedDocument } from '../document/document.js';
import type { Entity, Relation, Span } from '../document/types.js';
import type { Stage } from '../pipeline/stage.js';
import { readJsonResource } from '../resources.js';
import type { EntityType } from '../taxonomy/taxonomy.js';

interface Schema {
  type: string;
  from: EntityType[];
  to: EntityType[];
  toTexts?: string[];
  toPattern?: string;
  notPattern?: string;
  toLabel?: string;
  notLabel?: string;
  contained: boolean;
  before: number;
  after: number;
  clauses: boolean;
  confidence: number;
}

interface AttributeRule { type: EntityType; pattern: string }

interface CompiledSchema extends Schema {
  texts: Set<string> | null;
  pattern: RegExp | null;
  notRegExp: RegExp | null;
}

interface Schemas {
  relations: CompiledSchema[];
  attributes: Array<{ name: string; type: EntityType; pattern: RegExp; anchored: RegExp }>;
}

let schemas: Schemas | null = null;

/** The relation schemas of resources/relations/schemas.json, compiled once. */
function loadSchemas(): Schemas {
  if (schemas) return schemas;
  const file = readJsonResource<{ relations: Schema[]; attributes: Record<string, AttributeRule> }>('relations', 'schemas.json');
  schemas = {
    relations: file.relations.map((s) => ({
      ...s,
      texts: s.toTexts ? new Set(s.toTexts) : null,
      pattern: s.toPattern ? new RegExp(s.toPattern) : null,
      notRegExp: s.notPattern ? new RegExp(s.notPattern) : null,
    })),
    attributes: Object.entries(file.attributes).map(([name, rule]) => ({
      name, type: rule.type, pattern: new RegExp(rule.pattern, 'gi'), anchored: new RegExp(`^(?:${rule.pattern})$`, 'i'),
    })),
  };
  return schemas;
}

const CLAUSE_BREAKS = new Set([',', '，', ';', '；', '。', '\n', ':', '：']);
const HARD_BREAKS = new Set([';', '；', '。', '\n']);

interface Placed { entity: Entity; norm: Span; sentence: number }

/** The drug attribute (dose, frequency, route, duration) an entity expresses, by its label or its words. */
function attributeOf(entity: Entity, attributes: Schemas['attributes']): string | null {
  for (const a of attributes) if (entity.label === a.name) return a.name;
  for (const a of attributes) if (a.type === entity.type && a.anchored.test(entity.text.trim())) return a.name;
  return null;
}

function crossesBreak(chars: readonly string[], from: number, to: number, clauses: boolean): boolean {
  const breaks = clauses ? HARD_BREAKS : CLAUSE_BREAKS;
  for (let i = from; i < to; i++) if (breaks.has(chars[i]!)) return true;
  return false;
}

/**
 * Adds dose, frequency, route and duration mentions near each drug as entities when recognition did not
 * already cover those characters (the unified taxonomy has no such types; they become measurement,
 * time and procedure entities labelled with the attribute).
 */
function addDrugAttributes(doc: MedDocument, placed: Placed[], s: Schemas): boolean {
  const drugs = placed.filter((p) => p.entity.type === 'drug');
  if (drugs.length === 0) return false;
  const reach = new Map(s.relations.filter((r) => r.from.includes('drug')).map((r) => [r.toLabel ?? '', r]));
  const taken = placed.map((p) => p.norm);
  let added = false;
  for (const sentence of new Set(drugs.map((d) => d.sentence))) {
    const { normStart, normEnd } = doc.sentences[sentence]!;
    const chars = doc.norm.chars.slice(normStart, normEnd);
    // UTF-16 index → code-point index, for regex matches on the sentence string.
    const text = chars.join('');
    const unitToPoint = new Int32Array(text.length + 1);
    let unit = 0;
    chars.forEach((ch, k) => { for (let u = 0; u < ch.length; u++) unitToPoint[unit + u] = k; unit += ch.length; });
    unitToPoint[text.length] = chars.length;
    for (const attribute of s.attributes) {
      const schema = reach.get(attribute.name);
      if (!schema) continue;
      attribute.pattern.lastIndex = 0;
      for (const m of text.matchAll(attribute.pattern)) {
        const start = normStart + unitToPoint[m.index]!;
        const end = normStart + unitToPoint[m.index + m[0].length]!;
        const nearDrug = drugs.some((d) => d.sentence === sentence
          && ((start >= d.norm.end && start - d.norm.end <= schema.after) || (end <= d.norm.start && d.norm.start - end <= schema.before)));
        if (!nearDrug || taken.some((t) => t.start < end && start < t.end)) continue;
        const span = doc.fromNorm(start, end);
        doc.entities.push({
          id: doc.newEntityId(), ...span, text: doc.slice(span.start, span.end), type: attribute.type, label: attribute.name,
          confidence: 0.9, source: 'rule', parent: null, children: [], assertion: null, link: null,
        });
        taken.push({ start, end });
        added = true;
      }
    }
  }
  return added;
}

function matchesTarget(schema: CompiledSchema, to: Entity, attributes: Schemas['attributes']): boolean {
  if (!schema.to.includes(to.type)) return false;
  const text = to.text.trim();
  if (schema.texts && !schema.texts.has(text)) return false;
  if (schema.pattern && !schema.pattern.test(text)) return false;
  if (schema.notRegExp && schema.notRegExp.test(text)) return false;
  const attribute = schema.toLabel || schema.notLabel ? attributeOf(to, attributes) : null;
  if (schema.toLabel && attribute !== schema.toLabel) return false;
  if (schema.notLabel && attribute === schema.notLabel) return false;
  return true;
}

/** Characters between the two spans, or 0 when `to` lies inside `from`; null when the schema does not reach. */
function distance(doc: MedDocument, schema: CompiledSchema, from: Span, to: Span): number | null {
  if (to.start >= from.start && to.end <= from.end) return schema.contained && (to.start !== from.start || to.end !== from.end) ? 0 : null;
  if (to.start >= from.end) {
    const gap = to.start - from.end;
    return gap <= schema.after && !crossesBreak(doc.norm.chars, from.end, to.start, schema.clauses) ? gap : null;
  }
  if (to.end <= from.start) {
    const gap = from.start - to.end;
    return gap <= schema.before && !crossesBreak(doc.norm.chars, to.end, from.start, schema.clauses) ? gap : null;
  }
  return null;
}

function place(doc: MedDocument): Placed[] {
  return doc.entities.map((entity) => {
    const norm = doc.toNorm(entity.start, entity.end);
    return { entity, norm, sentence: doc.sentenceIndexAt(norm.start) };
  });
}

/**
 * Links each entity to the nearest entity its schemas allow, in the same sentence: the site, laterality
 * and position of a finding, the value and reference range of a test, the size of a lesion, a drug's
 * dose, frequency, route and duration, and the time of an event. Fills `doc.relations`.
 */
export const relationsStage: Stage = {
  name: 'relations',
  process(doc: MedDocument): void {
    if (doc.sentences.length === 0 || doc.entities.length === 0) return;
    const s = loadSchemas();
    let placed = place(doc);
    if (addDrugAttributes(doc, placed, s)) {
      doc.rebuildNesting();
      placed = place(doc);
    }
    const bySentence = new Map<number, Placed[]>();
    for (const p of placed) {
      const list = bySentence.get(p.sentence) ?? [];
      list.push(p);
      bySentence.set(p.sentence, list);
    }
    const relations: Relation[] = [];
    for (const list of bySentence.values()) {
      for (const schema of s.relations) {
        for (const from of list) {
          if (!schema.from.includes(from.entity.type)) continue;
          let best: { to: Placed; d: number } | null = null;
          for (const to of list) {
            if (to === from || !matchesTarget(schema, to.entity, s.attributes)) continue;
            const d = distance(doc, schema, from.norm, to.norm);
            if (d !== null && (!best || d < best.d)) best = { to, d };
          }
          if (!best) continue;
          const reach = Math.max(schema.before, schema.after) + 1;
          const confidence = Math.round(schema.confidence * (1 - (0.3 * best.d) / reach) * 1000) / 1000;
          relations.push({ type: schema.type, from: from.entity.id, to: best.to.entity.id, confidence });
        }
      }
    }
    doc.relations.push(...relations);
  },
};
