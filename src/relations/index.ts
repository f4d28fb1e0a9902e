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
  fromNotLabel?: string;
  toOwnedBy?: EntityType[];
  notTakenBy?: string[];
  blockedByFrom?: boolean;
  gapIgnores?: EntityType[];
  fromPreceded?: string;
  unlessLinked?: boolean;
  contained: boolean;
  before: number;
  after: number;
  /** Whether the search runs past commas; `after` only on the side after the `from` entity. */
  clauses: boolean | 'after';
  confidence: number;
}

interface AttributeRule { near: EntityType; type: EntityType; pattern: string }

interface CompiledSchema extends Schema {
  texts: Set<string> | null;
  pattern: RegExp | null;
  notRegExp: RegExp | null;
  precededBy: RegExp | null;
}

interface Schemas {
  relations: CompiledSchema[];
  attributes: Array<{ name: string; near: EntityType; type: EntityType; pattern: RegExp; anchored: RegExp; leading: RegExp }>;
  orders: { joiner: RegExp; shared: Set<string> };
  usage: { label: RegExp; lead: number; reach: number };
}

let schemas: Schemas | null = null;

/** The relation schemas of resources/relations/schemas.json, compiled once. */
function loadSchemas(): Schemas {
  if (schemas) return schemas;
  const file = readJsonResource<{
    relations: Schema[]; attributes: Record<string, AttributeRule>; orders: { joiner: string; shared: string[] };
    usage: { label: string; lead: number; reach: number };
  }>('relations', 'schemas.json');
  schemas = {
    relations: file.relations.map((s) => ({
      ...s,
      texts: s.toTexts ? new Set(s.toTexts) : null,
      pattern: s.toPattern ? new RegExp(s.toPattern) : null,
      notRegExp: s.notPattern ? new RegExp(s.notPattern) : null,
      precededBy: s.fromPreceded ? new RegExp(s.fromPreceded) : null,
    })),
    attributes: Object.entries(file.attributes).map(([name, rule]) => ({
      name, near: rule.near, type: rule.type, pattern: new RegExp(rule.pattern, 'gi'), anchored: new RegExp(`^(?:${rule.pattern})$`, 'i'),
      leading: new RegExp(`^(?:${rule.pattern})`, 'i'),
    })),
    orders: { joiner: new RegExp(file.orders.joiner), shared: new Set(file.orders.shared) },
    usage: { label: new RegExp(file.usage.label, 'g'), lead: file.usage.lead, reach: file.usage.reach },
  };
  return schemas;
}

/** How many characters around an entity may complete or undo a drug attribute it is part of (连用 in 连用5天, ×12片 after 100mg). */
const LEAD = 4;
const CLAUSE_BREAKS = new Set([',', '，', ';', '；', '。', '\n', ':', '：']);
const HARD_BREAKS = new Set([';', '；', '。', '\n']);

interface Placed { entity: Entity; norm: Span; sentence: number }

/** The attribute (a drug's dose, frequency, route, duration; a test's reference range) an entity expresses, by its label or its words. */
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
 * Each drug's usage clause: after a usage label (用法：, Sig:) written within `lead` characters of the drug, up to
 * `reach` characters, the next drug or the sentence end. Prescriptions list a drug's dose, frequency and route
 * there between commas (头孢克肟分散片 100mg×12片，用法：一次1片，一日2次，口服).
 */
function usageClauses(doc: MedDocument, placed: readonly Placed[], usage: Schemas['usage']): Map<string, Span> {
  const clauses = new Map<string, Span>();
  const drugs = placed.filter((p) => p.entity.type === 'drug').sort((a, b) => a.norm.start - b.norm.start);
  drugs.forEach((drug, k) => {
    const next = drugs[k + 1];
    const sentenceEnd = doc.sentences[drug.sentence]!.normEnd;
    const limit = Math.min(next && next.sentence === drug.sentence ? next.norm.start : sentenceEnd, sentenceEnd);
    const text = doc.norm.chars.slice(drug.norm.end, Math.min(limit, drug.norm.end + usage.lead)).join('');
    usage.label.lastIndex = 0;
    const m = usage.label.exec(text);
    if (!m || [...text.slice(0, m.index)].some((c) => HARD_BREAKS.has(c))) return;
    const start = drug.norm.end + [...text.slice(0, m.index + m[0].length)].length;
    clauses.set(drug.entity.id, { start, end: Math.min(limit, start + usage.reach) });
  });
  return clauses;
}

/**
 * Adds dose, frequency, route and duration mentions near each drug, and reference ranges after each test, as
 * entities when recognition did not already cover those characters (the unified taxonomy has no such types;
 * they become measurement, time and procedure entities labelled with the attribute).
 */
function addAttributes(doc: MedDocument, placed: Placed[], s: Schemas): boolean {
  const anchors = placed.filter((p) => s.attributes.some((a) => a.near === p.entity.type));
  if (anchors.length === 0) return false;
  const taken = placed.map((p) => ({ span: p.norm, type: p.entity.type }));
  const usage = usageClauses(doc, placed, s.usage);
  let added = false;
  for (const sentence of new Set(anchors.map((d) => d.sentence))) {
    const { normStart, normEnd } = doc.sentences[sentence]!;
    const chars = doc.norm.chars.slice(normStart, normEnd);
    // UTF-16 index → code-point index, for regex matches on the sentence string.
    const text = chars.join('');
    const unitToPoint = new Int32Array(text.length + 1);
    let unit = 0;
    chars.forEach((ch, k) => { for (let u = 0; u < ch.length; u++) unitToPoint[unit + u] = k; unit += ch.length; });
    unitToPoint[text.length] = chars.length;
    for (const attribute of s.attributes) {
      const schema = s.relations.find((r) => r.type === attribute.name && r.from.includes(attribute.near));
      if (!schema) continue;
      const near = anchors.filter((a) => a.sentence === sentence && a.entity.type === attribute.near);
      attribute.pattern.lastIndex = 0;
      for (const m of text.matchAll(attribute.pattern)) {
        const start = normStart + unitToPoint[m.index]!;
        const end = normStart + unitToPoint[m.index + m[0].length]!;
        const inUsage = (d: Placed): boolean => { const u = usage.get(d.entity.id); return !!u && start >= u.start && end <= u.end; };
        const reached = near.some((d) => (start >= d.norm.end && start - d.norm.end <= schema.after)
          || (end <= d.norm.start && d.norm.start - end <= schema.before) || inUsage(d));
        // A mention may hold what recognition cut out of it as another type (the time 一日 in 一日2次, 12h in q12h).
        const clashes = (t: { span: Span; type: EntityType }): boolean => t.span.start < end && start < t.span.end
          && (t.type === attribute.type || t.span.start < start || t.span.end > end || (t.span.start === start && t.span.end === end));
        if (!reached || taken.some(clashes)) continue;
        const span = doc.fromNorm(start, end);
        doc.entities.push({
          id: doc.newEntityId(), ...span, text: doc.slice(span.start, span.end), type: attribute.type, label: attribute.name,
          confidence: 0.9, source: 'rule', parent: null, children: [], assertion: null, link: null,
        });
        taken.push({ span: { start, end }, type: attribute.type });
        added = true;
      }
    }
  }
  return added;
}

/**
 * Whether the entity, read together with the few characters `lead` before it, is a mention of the drug attribute:
 * recognition marks 7天 in ×7天 and 5天 in 连用5天 as plain times.
 */
function attributeWithLead(entity: Entity, lead: string, name: string, attributes: Schemas['attributes']): boolean {
  const rule = attributes.find((a) => a.name === name);
  if (!rule || rule.type !== entity.type) return false;
  const text = entity.text.trim();
  for (let k = lead.length - 1; k >= 0; k--) if (rule.anchored.test(lead.slice(k) + text)) return true;
  return false;
}

/**
 * Whether the attribute mention still reads as one with the characters `trail` after it: 100mg in 100mg×12片 is a
 * strength with a pack size, not a dose.
 */
function holdsWithTrail(entity: Entity, trail: string, name: string, attributes: Schemas['attributes']): boolean {
  const rule = attributes.find((a) => a.name === name);
  if (!rule || entity.label === name) return true;
  const text = entity.text.trim();
  const m = rule.leading.exec(text + trail);
  return m !== null && m[0].length === text.length;
}

function matchesTarget(
  schema: CompiledSchema, from: Entity, to: Entity, context: { lead: string; trail: string }, byId: Map<string, Entity>,
  attributes: Schemas['attributes'],
): boolean {
  if (!schema.to.includes(to.type)) return false;
  const text = to.text.trim();
  if (schema.texts && !schema.texts.has(text)) return false;
  if (schema.pattern && !schema.pattern.test(text)) return false;
  if (schema.notRegExp && schema.notRegExp.test(text)) return false;
  const attribute = schema.toLabel || schema.notLabel ? attributeOf(to, attributes) : null;
  // Only after the drug: in 发热持续3天，予布洛芬 the 3 days are the fever's.
  const completed = attribute === null && to.start >= from.end && attributeWithLead(to, context.lead, schema.toLabel ?? '', attributes);
  if (schema.toLabel && attribute !== schema.toLabel && !completed) return false;
  if (schema.toLabel && !completed && !holdsWithTrail(to, context.trail, schema.toLabel, attributes)) return false;
  if (schema.notLabel && attribute === schema.notLabel) return false;
  if (schema.toOwnedBy) {
    // 左 inside 左肾 inside 左肾结石 is the kidney's laterality, not the stone's.
    for (let up = to.parent ? byId.get(to.parent) : undefined; up; up = up.parent ? byId.get(up.parent) : undefined) {
      if (up === from) break;
      if (schema.toOwnedBy.includes(up.type)) return false;
    }
  }
  return true;
}

function contains(outer: Span, inner: Span): boolean {
  return inner.start >= outer.start && inner.end <= outer.end && (inner.start !== outer.start || inner.end !== outer.end);
}

/** Characters of the sentence that ignored entities cover, counted up to each position (`covered[i - offset]`). */
interface Ignored { offset: number; covered: Int32Array }

function ignoredIn(doc: MedDocument, sentence: number, spans: readonly Span[]): Ignored | null {
  if (spans.length === 0) return null;
  const { normStart, normEnd } = doc.sentences[sentence]!;
  const inside = new Uint8Array(normEnd - normStart);
  for (const s of spans) for (let i = Math.max(s.start, normStart); i < Math.min(s.end, normEnd); i++) inside[i - normStart] = 1;
  const covered = new Int32Array(inside.length + 1);
  for (let i = 0; i < inside.length; i++) covered[i + 1] = covered[i]! + inside[i]!;
  return { offset: normStart, covered };
}

/** Characters from `start` to `end` in one sentence, less those the ignored entities cover. */
function gapLength(start: number, end: number, ignored: Ignored | null): number {
  if (!ignored) return end - start;
  const at = (i: number): number => ignored.covered[Math.min(Math.max(i - ignored.offset, 0), ignored.covered.length - 1)]!;
  return end - start - (at(end) - at(start));
}

/** Characters between the two spans, or 0 when `to` lies inside `from`; null when the schema does not reach. */
function distance(doc: MedDocument, schema: CompiledSchema, from: Span, to: Span, ignored: Ignored | null): number | null {
  if (to.start >= from.start && to.end <= from.end) return schema.contained && contains(from, to) ? 0 : null;
  if (to.start >= from.end) {
    const gap = gapLength(from.end, to.start, ignored);
    return gap <= schema.after && !crossesBreak(doc.norm.chars, from.end, to.start, schema.clauses !== false) ? gap : null;
  }
  if (to.end <= from.start) {
    const gap = gapLength(to.end, from.start, ignored);
    return gap <= schema.before && !crossesBreak(doc.norm.chars, to.end, from.start, schema.clauses === true) ? gap : null;
  }
  return null;
}

/** Whether another `from` candidate of the schema lies between the two, and so is the nearer claimant. */
function blocked(schema: CompiledSchema, from: Placed, to: Placed, list: readonly Placed[]): boolean {
  const lo = Math.min(from.norm.end, to.norm.end);
  const hi = Math.max(from.norm.start, to.norm.start);
  return list.some((p) => p !== from && schema.from.includes(p.entity.type) && p.norm.start >= lo && p.norm.end <= hi);
}

/**
 * Drugs given as one order (0.9%氯化钠注射液 100ml + 注射用头孢曲松钠 2.0g 静脉滴注 qd) share the route,
 * frequency and duration written once after the last of them: a member without its own gets the one
 * another member has.
 */
function shareWithinOrders(doc: MedDocument, list: readonly Placed[], relations: Relation[], s: Schemas): void {
  const drugs = list.filter((p) => p.entity.type === 'drug').sort((a, b) => a.norm.start - b.norm.start);
  // Only a member's own dose may stand between it and the joiner: 基础胰岛素每日1次睡前+餐前胰岛素 are two regimens.
  const doses = list.filter((p) => attributeOf(p.entity, s.attributes) === 'dose');
  const groups: Placed[][] = [];
  for (const drug of drugs) {
    const last = groups[groups.length - 1];
    const previous = last?.[last.length - 1];
    const between = previous ? doc.norm.chars.slice(previous.norm.end, drug.norm.start)
      .filter((_, k) => !doses.some((m) => m.norm.start <= previous.norm.end + k && previous.norm.end + k < m.norm.end)).join('') : '';
    if (last && previous && previous.norm.end <= drug.norm.start && s.orders.joiner.test(between)) last.push(drug);
    else groups.push([drug]);
  }
  for (const group of groups.filter((g) => g.length > 1)) {
    const ids = new Set(group.map((g) => g.entity.id));
    for (const type of s.orders.shared) {
      const source = relations.find((r) => r.type === type && ids.has(r.from));
      if (!source) continue;
      for (const member of group) {
        if (!relations.some((r) => r.type === type && r.from === member.entity.id)) {
          relations.push({ type, from: member.entity.id, to: source.to, confidence: source.confidence });
        }
      }
    }
  }
}

/** Whether the sentence text right before `from` ends with the pattern (at most 8 characters are looked at). */
function precededBy(doc: MedDocument, from: Placed, pattern: RegExp): boolean {
  const sentenceStart = doc.sentences[from.sentence]!.normStart;
  return pattern.test(doc.norm.chars.slice(Math.max(sentenceStart, from.norm.start - 8), from.norm.start).join(''));
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
    if (addAttributes(doc, placed, s)) {
      doc.rebuildNesting();
      placed = place(doc);
    }
    const bySentence = new Map<number, Placed[]>();
    for (const p of placed) {
      const list = bySentence.get(p.sentence) ?? [];
      list.push(p);
      bySentence.set(p.sentence, list);
    }
    const byId = new Map(doc.entities.map((e) => [e.id, e]));
    const usage = usageClauses(doc, placed, s.usage);
    const relations: Relation[] = [];
    for (const list of bySentence.values()) {
      const taken = new Map<string, Set<string>>();
      for (const schema of s.relations) {
        const ignored = schema.gapIgnores
          ? ignoredIn(doc, list[0]!.sentence, list.filter((p) => schema.gapIgnores!.includes(p.entity.type)).map((p) => p.norm)) : null;
        const excluded = new Set((schema.notTakenBy ?? []).flatMap((type) => [...(taken.get(type) ?? [])]));
        for (const from of list) {
          if (!schema.from.includes(from.entity.type)) continue;
          if (schema.fromNotLabel && attributeOf(from.entity, s.attributes) === schema.fromNotLabel) continue;
          if (schema.unlessLinked && relations.some((r) => r.type === schema.type && r.from === from.entity.id)) continue;
          if (schema.precededBy && !precededBy(doc, from, schema.precededBy)) continue;
          const candidates: Array<{ to: Placed; d: number }> = [];
          for (const to of list) {
            if (to === from || !schema.to.includes(to.entity.type) || excluded.has(to.entity.id)) continue;
            const clause = schema.toLabel ? usage.get(from.entity.id) : undefined;
            const inClause = clause && to.norm.start >= clause.start && to.norm.end <= clause.end ? to.norm.start - clause.start : null;
            const d = distance(doc, schema, from.norm, to.norm, ignored) ?? inClause;
            if (d === null) continue;
            const { normStart, normEnd } = doc.sentences[to.sentence]!;
            const context = {
              lead: doc.norm.chars.slice(Math.max(normStart, to.norm.start - LEAD), to.norm.start).join(''),
              trail: doc.norm.chars.slice(to.norm.end, Math.min(normEnd, to.norm.end + LEAD)).join(''),
            };
            if (!matchesTarget(schema, from.entity, to.entity, context, byId, s.attributes)) continue;
            if (schema.blockedByFrom && blocked(schema, from, to, list)) continue;
            candidates.push({ to, d });
          }
          // Every location inside 右膝关节内侧半月板后角 is the knee's; outside the span only the nearest counts.
          const inside = candidates.filter((c) => contains(from.norm, c.to.norm));
          const chosen = inside.length > 0 ? inside : candidates.sort((a, b) => a.d - b.d).slice(0, 1);
          const reach = Math.max(schema.before, schema.after) + 1;
          for (const { to, d } of chosen) {
            const confidence = Math.round(schema.confidence * (1 - (0.3 * d) / reach) * 1000) / 1000;
            relations.push({ type: schema.type, from: from.entity.id, to: to.entity.id, confidence });
            const ids = taken.get(schema.type) ?? new Set<string>();
            ids.add(to.entity.id);
            taken.set(schema.type, ids);
          }
        }
      }
      shareWithinOrders(doc, list, relations, s);
    }
    doc.relations.push(...relations);
  },
};
