import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { findSizes } from './size.js';
import { alternation, clauses, fieldValue, matchAll, sectionRegions, sectionValue, u16Of, wholeRegion, type Region, type Source } from './source.js';

interface PathologySchema {
  histologicTypes: string[];
  gradePattern: string;
  invasionPattern: string;
  marginWords: string[];
  ihcResultPattern: string;
  molecularGenes: string[];
  tumourSizeCue: string;
}

const schema = readJsonResource<PathologySchema>('fields', 'pathology.json');
const TYPE_RE = new RegExp(`(?:${alternation(schema.histologicTypes)})`, 'g');
const GRADE_RE = new RegExp(schema.gradePattern, 'g');
const INVASION_RE = new RegExp(schema.invasionPattern, 'dg');
const MARGIN_RE = new RegExp(`(?:${alternation(schema.marginWords)})`);
const IHC_RE = new RegExp(`(?<![A-Za-z0-9])(?<name>[A-Za-z][A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)*(?:\\s?[αβ])?)\\s*(?<result>${schema.ihcResultPattern})`, 'dg');
const MOLECULAR_RE = new RegExp(`(?<name>${alternation(schema.molecularGenes)})(?<detail>[^,，;；。\\n]{0,40})`, 'dg');
const LYMPH_RE = /(?<station>[^，,；;。、:：\s]{0,14}?)淋巴结[^\d/，,；;。]{0,12}?[(（]?\s*(?<positive>\d+)\s*\/\s*(?<examined>\d+)\s*[)）]?/dg;
const TUMOUR_SIZE_CUE = new RegExp(schema.tumourSizeCue);
const PTNM_RE = /(?<![A-Za-z])(?<prefix>y?p|c)?T(?<t>[0-4][a-d]?|is|x|X)\s*N(?<n>[0-3][a-c]?|x|X)\s*(?:M(?<m>[01][a-c]?|x|X))?/dg;

export interface IhcMarker {
  name: FieldValue;
  result: FieldValue;
  raw: FieldValue;
}

/** IHC result in a comparable form: + / - / ± / 2+ / 30% / 30%+. */
function normalizeIhc(result: string): string {
  const r = result.replace(/[()（）\s约]/g, '');
  if (/^阴性$/.test(r)) return '-';
  if (/^(弱阳性)$/.test(r)) return '±';
  if (/阳性$/.test(r)) return '+';
  return r;
}

export function extractIhc(src: Source, regions: Region[]): IhcMarker[] {
  const out: IhcMarker[] = [];
  for (const region of regions) {
    for (const m of matchAll(src, region, IHC_RE)) {
      const name = m.indices!.groups!.name!;
      const result = m.indices!.groups!.result!;
      const raw = { start: m.pos, end: m.pos + m[0].length };
      out.push({
        name: fieldValue(src, region.start + name[0], region.start + name[1], m.groups!.name!.replace(/^ki-?67$/i, 'Ki-67'), raw),
        result: fieldValue(src, region.start + result[0], region.start + result[1], normalizeIhc(m.groups!.result!), raw),
        raw: fieldValue(src, raw.start, raw.end, m[0], raw),
      });
    }
  }
  return out;
}

function firstMatch(src: Source, regions: Region[], re: RegExp, normalize: (t: string) => string = (t) => t): FieldValue | null {
  for (const region of regions) for (const m of matchAll(src, region, re)) return fieldValue(src, m.pos, m.pos + m[0].length, normalize(m[0]), region);
  return null;
}

export function extractPathology(src: Source): Record<string, unknown> {
  const whole = [wholeRegion(src)];
  const or = (regions: Region[]): Region[] => (regions.length > 0 ? regions : whole);
  const diagnosisRegions = or(sectionRegions(src, 'pathology_diagnosis', 'diagnosis', 'impression', 'conclusion'));
  const grossRegions = sectionRegions(src, 'gross');
  const ihcSections = sectionRegions(src, 'ihc');
  let ihcRegions = ihcSections;
  if (ihcRegions.length === 0) {
    // No IHC section: read after each 免疫组化 to the end of its paragraph.
    ihcRegions = [];
    for (const m of matchAll(src, wholeRegion(src), /免疫组化(?:结果)?/g)) {
      const end = src.text.indexOf('\n', m.pos);
      ihcRegions.push({ start: m.pos + m[0].length, end: end < 0 ? src.text.length : end });
    }
  }
  const all = whole;
  const microscopicRegions = sectionRegions(src, 'microscopic');
  // The diagnosis names the type; when it does not, the microscopic description, then the whole report.
  const typeIn = (regions: Region[]): FieldValue[] => regions.flatMap((r) => [...matchAll(src, r, TYPE_RE)].map((m) => fieldValue(src, m.pos, m.pos + m[0].length, m[0], r)));
  let typeMatches = typeIn(diagnosisRegions);
  if (typeMatches.length === 0) typeMatches = typeIn(microscopicRegions.length > 0 ? microscopicRegions : whole);
  if (typeMatches.length === 0) typeMatches = typeIn(whole);
  // The most specific type: the longest name the diagnosis uses.
  const histologicType = typeMatches.sort((a, b) => b.value.length - a.value.length || a.start - b.start)[0] ?? null;

  let invasionDepth: FieldValue | null = null;
  for (const region of or([...diagnosisRegions, ...microscopicRegions])) {
    for (const m of matchAll(src, region, INVASION_RE)) {
      const layer = m.indices!.groups!.layer!;
      invasionDepth = fieldValue(src, region.start + layer[0], region.start + layer[1], m.groups!.layer!.replace('粘', '黏'), { start: m.pos, end: m.pos + m[0].length });
      break;
    }
    if (invasionDepth) break;
  }

  const margins: FieldValue[] = [];
  for (const region of all) {
    for (const clause of clauses(src, region, /[。；;\n，,]/)) {
      const text = src.text.slice(clause.start, clause.end);
      if (!MARGIN_RE.test(text)) continue;
      const negative = /未见|阴性|净|无癌|未累及|\(-\)|（-）/.test(text);
      const positive = !negative && /见|阳性|累及|\(\+\)|（\+）/.test(text);
      margins.push(fieldValue(src, clause.start, clause.end, negative ? 'negative' : positive ? 'positive' : null, clause));
    }
  }

  const stations: Array<{ station: FieldValue | null; positive: number; examined: number; text: FieldValue; breakdown: boolean }> = [];
  let breakdown = false;
  for (const m of matchAll(src, wholeRegion(src), LYMPH_RE)) {
    const station = m.indices!.groups!.station!;
    const evidence = { start: m.pos, end: m.pos + m[0].length };
    // 淋巴结(3/15)…，其中第一水平(2/8)：the stations after 其中 break the previous count down.
    const lead = /^(?:其中|包括|分别为|含)/.exec(m.groups!.station!);
    if (lead) breakdown = true;
    else if (/[。；;]/.test(src.text.slice(stations.length > 0 ? u16Of(src, stations[stations.length - 1]!.text.end) : m.pos, m.pos))) breakdown = false;
    const stationStart = station[0] + (lead ? lead[0].length : 0);
    stations.push({
      breakdown,
      station: station[1] > stationStart ? fieldValue(src, stationStart, station[1], src.text.slice(stationStart, station[1]), evidence) : null,
      positive: Number(m.groups!.positive),
      examined: Number(m.groups!.examined),
      text: fieldValue(src, evidence.start, evidence.end, `${m.groups!.positive}/${m.groups!.examined}`, evidence),
    });
  }
  const lymphNodes = stations.length === 0 ? null : {
    positive: stations.filter((x) => !x.breakdown).reduce((s, x) => s + x.positive, 0),
    examined: stations.filter((x) => !x.breakdown).reduce((s, x) => s + x.examined, 0),
    stations,
  };

  let ptnm: { value: FieldValue; t: string; n: string; m: string | null } | null = null;
  for (const m of matchAll(src, wholeRegion(src), PTNM_RE)) {
    const g = m.groups!;
    ptnm = { value: fieldValue(src, m.pos, m.pos + m[0].length, `${g.prefix ?? ''}T${g.t}N${g.n}${g.m !== undefined ? `M${g.m}` : ''}`, { start: m.pos, end: m.pos + m[0].length }), t: `T${g.t}`, n: `N${g.n}`, m: g.m !== undefined ? `M${g.m}` : null };
    break;
  }

  const molecular: Array<{ name: FieldValue; result: FieldValue }> = [];
  const molecularSections = sectionRegions(src, 'molecular');
  // Outside a molecular section, HER2(2+) is IHC: only gene-test wording counts there.
  const molecularWords = molecularSections.length > 0 ? /突变|野生型|阳性|阴性|扩增|融合|重排|检测到|[+-]|\d|缺失/ : /突变|野生型|扩增|融合|重排|检测到|外显子/;
  for (const region of or(molecularSections)) {
    for (const m of matchAll(src, region, MOLECULAR_RE)) {
      const detail = m.groups!.detail!.trim();
      if (detail === '' || !molecularWords.test(detail)) continue;
      const name = m.indices!.groups!.name!;
      const evidence = { start: m.pos, end: m.pos + m[0].length };
      molecular.push({
        name: fieldValue(src, region.start + name[0], region.start + name[1], m.groups!.name!, evidence),
        result: fieldValue(src, region.start + name[1], evidence.end, /野生型|未检测到|阴性|未见/.test(detail) ? 'negative' : /突变|阳性|扩增|融合|重排|检测到/.test(detail) ? 'positive' : detail, evidence),
      });
    }
  }

  // The tumour's size (肿物大小3×2cm), not the specimen's: the diagnosis first, then the gross description.
  const sizes = [...diagnosisRegions, ...grossRegions].flatMap((r) => findSizes(src, r));
  const cued = sizes.find((s) => TUMOUR_SIZE_CUE.test(src.text.slice(Math.max(0, u16Of(src, s.start) - 12), u16Of(src, s.start))));
  const size = cued ?? (grossRegions.length > 0 ? null : sizes[0]) ?? null;
  return {
    specimen: sectionValue(src, 'specimen'),
    gross: sectionValue(src, 'gross'),
    microscopic: sectionValue(src, 'microscopic'),
    diagnosis: sectionValue(src, 'pathology_diagnosis', 'diagnosis', 'impression', 'conclusion'),
    histologicType,
    grade: firstMatch(src, diagnosisRegions, GRADE_RE) ?? firstMatch(src, [...microscopicRegions, ...whole], GRADE_RE),
    size,
    invasionDepth,
    margins,
    lymphNodes,
    ihc: extractIhc(src, ihcRegions),
    molecular,
    ptnm,
  };
}
