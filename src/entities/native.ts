import type { MedDocument } from '../document/document.js';
import { readJsonResource } from '../resources.js';
import type { EntityType } from '../taxonomy/taxonomy.js';
import { GAZETTEER_TYPES, foldKey, type Gazetteer, type GazetteerMatches } from './gazetteer.js';
import { FindingLayer } from './findings.js';
import { codePointIndex } from '../util/code-points.js';
import { makeEntity, type EntityLayer, type LabelMapper } from './stage.js';

interface RuleFile {
  examPatterns: string[];
  patterns: Array<{ type: EntityType; regex: string; trimLeft?: string[]; reject?: string[] }>;
  words: Partial<Record<EntityType, string[]>>;
  location: { lateral: string[]; direction: string; compounds: string[]; types: EntityType[]; subsitePositions: string; subsiteWords: string };
}

const rules = readJsonResource<RuleFile>('entities', 'rules.json');
const examPattern = new RegExp(`(?:${rules.examPatterns.map(escape).join('|')})`, 'i');
const compiled = rules.patterns.map((p) => ({ ...p, re: new RegExp(p.regex, 'gu') }));
const wordPattern = new RegExp(
  Object.entries(rules.words).map(([type, list]) => `(?<${type}>${[...list!].sort((a, b) => b.length - a.length).map(escape).join('|')})`).join('|'),
  'gu',
);

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface NativeTagger { scheme: string; labels: Record<string, EntityType | 'exam_or_lab'> }

/** The taggers of the native pipeline (resources/entities/native.json). */
export const NATIVE_TAGGERS = readJsonResource<{ taggers: NativeTagger[] }>('entities', 'native.json').taggers;

/**
 * The label mapper of the native taggers, given the tagger of each decoding layer: kept labels become
 * their unified type; `exam_or_lab` (CMeEE's `ite`, tests of both kinds) becomes `exam` when the span
 * names an instrument examination (CT, 超声, 心电图, …镜) and `lab_test` otherwise; other labels are dropped.
 */
export function nativeLabelMapper(layerTaggers: NativeTagger[]): LabelMapper {
  return (label, text, layer) => {
    const type = layerTaggers[layer]?.labels[label];
    if (type === undefined) return null;
    if (type === 'exam_or_lab') return examPattern.test(text) ? 'exam' : 'lab_test';
    return type;
  };
}

interface Candidate { start: number; end: number; type: EntityType; confidence: number; source: 'rule' | 'dictionary' }

/** Keeps, per type, the longest of overlapping candidates. */
function longestPerType(list: Candidate[]): Candidate[] {
  list.sort((a, b) => (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const kept: Candidate[] = [];
  for (const c of list) if (!kept.some((k) => k.type === c.type && k.start < c.end && c.start < k.end)) kept.push(c);
  return kept;
}

/** Patterns, word lists and the gazetteer's hospitals, departments and regions (normalized-view offsets). */
class RuleLayer implements EntityLayer {
  private readonly gazetteer: Gazetteer;

  constructor(gazetteer: Gazetteer) {
    this.gazetteer = gazetteer;
  }

  add(doc: MedDocument, matches: GazetteerMatches | null): void {
    const text = doc.norm.text;
    const toCp = codePointIndex(text);
    const found: Candidate[] = [];
    for (const p of compiled) {
      p.re.lastIndex = 0;
      for (let m = p.re.exec(text); m !== null; m = p.re.exec(text)) {
        if (m[0].length === 0) { p.re.lastIndex++; continue; }
        let start = m.index;
        let value = m[0];
        const v = m.groups?.v;
        if (v !== undefined) { start += m[0].lastIndexOf(v); value = v; }
        if (p.trimLeft) {
          let cut = 0;
          for (const w of p.trimLeft) {
            const at = value.lastIndexOf(w, value.length - 3);
            if (at >= 0 && at + w.length > cut) cut = at + w.length;
          }
          start += cut;
          value = value.slice(cut);
        }
        if (p.reject?.includes(value) || value.length === 0) continue;
        found.push({ start: toCp(start), end: toCp(start + value.length), type: p.type, confidence: 0.9, source: 'rule' });
      }
    }
    wordPattern.lastIndex = 0;
    for (let m = wordPattern.exec(text); m !== null; m = wordPattern.exec(text)) {
      const type = Object.entries(m.groups ?? {}).find(([, v]) => v !== undefined)?.[0] as EntityType;
      found.push({ start: toCp(m.index), end: toCp(m.index + m[0].length), type, confidence: 0.85, source: 'dictionary' });
    }
    this.dictionary(doc, found, matches);
    const existing = doc.entities.map((e) => doc.toNorm(e.start, e.end));
    for (const c of longestPerType(found)) {
      // A rule span that exactly repeats a model span adds nothing.
      if (existing.some((e) => e.start === c.start && e.end === c.end)) continue;
      const { start, end } = doc.fromNorm(c.start, c.end);
      doc.entities.push(makeEntity(doc, start, end, c.type, c.confidence, c.source));
    }
    this.dropInsideNames(doc);
    this.locations(doc);
  }

  /** Model spans inside a hospital or department name (心 of 心内科) are parts of the name, not entities. */
  private dropInsideNames(doc: MedDocument): void {
    const names = doc.entities.filter((e) => e.source !== 'model' && (e.type === 'hospital' || e.type === 'department'));
    if (names.length === 0) return;
    doc.entities = doc.entities.filter((e) => e.source !== 'model' || !names.some((n) => n.start <= e.start && e.end <= n.end));
  }

  /** Hospitals, departments and regions of the gazetteer (its matches from the stage when they are this gazetteer's). */
  private dictionary(doc: MedDocument, found: Candidate[], shared: GazetteerMatches | null): void {
    let matches = shared;
    if (matches?.gazetteer !== this.gazetteer) {
      const keys = Int32Array.from(doc.norm.chars, (ch) => foldKey(ch.codePointAt(0)!));
      matches = this.gazetteer.matchAll(keys, keys.length);
    }
    const bit = (t: (typeof GAZETTEER_TYPES)[number]): number => 1 << GAZETTEER_TYPES.indexOf(t);
    const wanted: Array<[number, EntityType]> = [[bit('hospital'), 'hospital'], [bit('department'), 'department'], [bit('region'), 'region']];
    for (let m = 0; m < matches.count; m++) {
      const mask = matches.masks[m]!;
      for (const [b, type] of wanted) if (mask & b) found.push({ start: matches.starts[m]!, end: matches.ends[m]!, type, confidence: 0.95, source: 'dictionary' });
    }
  }

  /** Laterality/direction prefixes and sub-site positions (肺下叶) of anatomy spans as nested Location entities. */
  private locations(doc: MedDocument): void {
    const { lateral, direction, compounds, types, subsitePositions, subsiteWords } = rules.location;
    for (const e of [...doc.entities]) {
      if (!types.includes(e.type)) continue;
      // Offsets: lateral and direction characters are all in the BMP, so UTF-16 offsets below = code points
      // as long as the span has no astral characters, which anatomy words do not.
      const text = e.text;
      if (text.length !== e.end - e.start) continue;
      const confidence = Math.min(0.95, e.confidence);
      let len = 0;
      const lead = lateral.find((l) => text.startsWith(l));
      if (lead) {
        len = lead.length;
        while (len < text.length - 1 && direction.includes(text[len]!) && !compounds.some((c) => text.startsWith(c, len))) len++;
        if (len >= text.length) continue;
        doc.entities.push(makeEntity(doc, e.start, e.start + len, 'location', confidence, 'rule'));
      }
      for (let i = Math.max(len, 1); i < text.length - 1; i++) {
        if (subsitePositions.includes(text[i]!) && subsiteWords.includes(text[i + 1]!)) {
          doc.entities.push(makeEntity(doc, e.start + i, e.start + i + 1, 'location', confidence, 'rule'));
        }
      }
    }
  }
}

export function nativeLayers(gazetteer: Gazetteer, findings: Gazetteer): EntityLayer[] {
  return [new RuleLayer(gazetteer), new FindingLayer(gazetteer, findings)];
}
