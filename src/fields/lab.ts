import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { isUnit, repairUnit, unitImpliedByName } from '../layout/units.js';
import { enrichers, type LabAnalyteInfo } from './enrich.js';
import { normalizeUnit, parseNumber } from './normalize.js';
import { fieldValue, lines, sectionRegions, wholeRegion, type Region, type Source } from './source.js';

interface LabSchema {
  flags: Record<string, 'H' | 'L' | 'A'>;
  qualitativeResults: Record<string, 'positive' | 'negative' | 'weak'>;
  headerWords: string[];
}

const schema = readJsonResource<LabSchema>('fields', 'lab.json');
const headerWords = new Set(schema.headerWords);

export interface LabItem {
  name: FieldValue;
  standardName: string | null;
  code: string | null;
  abbreviation: FieldValue | null;
  result: FieldValue;
  unit: FieldValue | null;
  range: FieldValue | null;
  /** The sheet's own marker (↑ ↓ H L 阳性…), normalized to H, L or A (abnormal). */
  flag: FieldValue | null;
  /** From the flag when the sheet has one, else from the result against the range; null when neither tells. */
  abnormal: boolean | null;
  /** H, L or A inferred as for `abnormal` (MRS InferNormal). */
  direction: 'H' | 'L' | 'A' | null;
}

interface Token {
  text: string;
  start: number;
  end: number;
}

const NUMBER = /^[<>≤≥]?\d+(?:\.\d+)?$/;
const NUMBER_WITH_TAIL = /^([<>≤≥]?\d+(?:\.\d+)?)(↑|↓|\(?[HL]\)?|\*)?(.*)$/;
const RANGE = /^[(（[]?\s*(?:([<>≤≥]=?)\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:-{1,2}|~|～|—|至)\s*(\d+(?:\.\d+)?))\s*[)）\]]?$/;
const ABBREVIATION = /^[A-Za-z][A-Za-z0-9#%\-_.+/]{0,11}$/;
const HAN = /[\u4e00-\u9fa5]/;
const NAME_WITH_ABBR = /^(.*?[\u4e00-\u9fa5)）])\s*[(（]?([A-Za-z][A-Za-z0-9#%\-_.+/]{0,11})[)）]?$/;

function tokenize(text: string, region: Region): Token[] {
  const raw: Token[] = [];
  const re = /[^\s:：]+/g;
  const line = text.slice(region.start, region.end);
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    raw.push({ text: m[0], start: region.start + m.index, end: region.start + m.index + m[0].length });
  }
  // OCR spreads 血 红 蛋 白 into single characters: glue runs of lone Han characters back together.
  const out: Array<Token & { glued: boolean }> = [];
  for (const t of raw) {
    const prev = out[out.length - 1];
    const lone = t.text.length === 1 && HAN.test(t.text);
    if (prev && lone && t.start - prev.end === 1 && (prev.glued || (prev.text.length === 1 && HAN.test(prev.text)))) {
      out[out.length - 1] = { text: prev.text + t.text, start: prev.start, end: t.end, glued: true };
      continue;
    }
    out.push({ ...t, glued: false });
  }
  return out;
}

const isFlag = (t: string): boolean => schema.flags[t] !== undefined;
const isQualitative = (t: string): boolean => schema.qualitativeResults[t] !== undefined;
const isResult = (t: string): boolean => NUMBER.test(t) || isQualitative(t) || NUMBER_WITH_TAIL.test(t);

/** Infers H/L from a numeric result against a range; A for a positive result against a negative range. */
export function inferDirection(result: string, range: string | null): 'H' | 'L' | 'A' | null | false {
  if (range === null) return null;
  const qual = schema.qualitativeResults[result];
  if (qual !== undefined) {
    const expected = schema.qualitativeResults[range.replace(/[()（）]/g, '')];
    if (expected === undefined) return null;
    return qual !== expected && qual !== 'negative' ? 'A' : qual !== expected ? 'L' : false;
  }
  const value = parseNumber(result.replace(/^[<>≤≥]/, ''));
  const m = RANGE.exec(range.trim());
  if (value === null || !m) return null;
  if (m[3] !== undefined) {
    const low = Number(m[3]);
    const high = Number(m[4]);
    if (value < low) return 'L';
    if (value > high) return 'H';
    return false;
  }
  const bound = Number(m[2]);
  if (m[1]!.startsWith('<') || m[1]!.startsWith('≤')) return value > bound ? 'H' : false;
  return value < bound ? 'L' : false;
}

function lookupAnalyte(name: string, abbreviation: Token | null): LabAnalyteInfo | null {
  return enrichers().lookupLabAnalyte(name) ?? (abbreviation ? enrichers().lookupLabAnalyte(abbreviation.text) : null);
}

function itemFrom(src: Source, tokens: Token[], line: Region): { item: LabItem; used: number } | null {
  let i = 0;
  // Row numbers and markers in front of the name.
  while (i < tokens.length && (/^\d{1,3}\.?$/.test(tokens[i]!.text) || /^[*★☆#]+$/.test(tokens[i]!.text))) i++;
  const nameTokens: Token[] = [];
  let abbreviation: Token | null = null;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!.text;
    if (nameTokens.length > 0 && isResult(t) && !HAN.test(t)) break;
    if (nameTokens.length > 0 && isQualitative(t)) break;
    if (nameTokens.length > 0 && ABBREVIATION.test(t) && !abbreviation) { abbreviation = tokens[i]!; continue; }
    if (abbreviation) break;
    if (!HAN.test(t) && nameTokens.length === 0 && !ABBREVIATION.test(t)) return null;
    if (nameTokens.length >= 3) return null;
    nameTokens.push(tokens[i]!);
  }
  if (nameTokens.length === 0 || i >= tokens.length) return null;
  let nameStart = nameTokens[0]!.start;
  let nameEnd = nameTokens[nameTokens.length - 1]!.end;
  let nameText = src.text.slice(nameStart, nameEnd).replace(/^[*★☆#]+/, '');
  if (headerWords.has(nameText)) return null;
  nameStart = nameEnd - nameText.length;
  // 血红蛋白(HGB) / 血红蛋白HGB: the abbreviation is glued to the name.
  if (!abbreviation) {
    const glued = NAME_WITH_ABBR.exec(nameText);
    if (glued && HAN.test(glued[1]!)) {
      const abbrStart = nameStart + nameText.lastIndexOf(glued[2]!);
      abbreviation = { text: glued[2]!, start: abbrStart, end: abbrStart + glued[2]!.length };
      nameEnd = nameStart + glued[1]!.replace(/[(（]$/, '').length;
      nameText = src.text.slice(nameStart, nameEnd);
    }
  }
  if (!HAN.test(nameText) && !abbreviation) return null;

  // The analyte's usual unit, looked up only when a misread unit needs it.
  let expected: string | null | undefined;
  const expectedUnit = (): string | null => (expected ??= lookupAnalyte(nameText, abbreviation)?.unit ?? unitImpliedByName(nameText));
  const first = tokens[i]!;
  let resultSpan: Region = { start: first.start, end: first.end };
  let flag: Token | null = null;
  let unit: Token | null = null;
  let range: Token | null = null;
  const tail = NUMBER_WITH_TAIL.exec(first.text);
  if (tail && !isQualitative(first.text)) {
    resultSpan = { start: first.start, end: first.start + tail[1]!.length };
    let rest = first.start + tail[1]!.length;
    if (tail[2]) { flag = { text: tail[2], start: rest, end: rest + tail[2].length }; rest += tail[2].length; }
    if (tail[3]) {
      // 6.8mmol/L（3.9-6.1）: unit and range glued to the result.
      const glued = /^(.*?)([(（][^()（）]+[)）])$/.exec(tail[3]);
      const unitText = glued && RANGE.test(glued[2]!) ? glued[1]! : tail[3];
      if (glued && unitText === glued[1]) range = { text: glued[2]!, start: first.end - glued[2]!.length, end: first.end };
      if (unitText === '') unit = null;
      else if (normalizeUnit(unitText) !== null || unitText.includes('/')) unit = { text: unitText, start: rest, end: rest + unitText.length };
      else return null;
    }
  }
  i++;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    const clean = t.text.replace(/^[(（]|[)）]$/g, '');
    if (!flag && isFlag(t.text)) { flag = t; continue; }
    if (!range && RANGE.test(t.text) && (!unit || NUMBER.test(src.text.slice(resultSpan.start, resultSpan.end)))) { range = t; continue; }
    if (!unit && (normalizeUnit(t.text) !== null || (/\//.test(t.text) && !HAN.test(t.text.replace(/个/, ''))) || repairUnit(t.text, expectedUnit()).repaired)) { unit = t; continue; }
    // A flag mark OCR could not read (↑ as 11, T or 个) sits between result and unit: the range decides the flag.
    const next = tokens[i + 1]?.text;
    const mark = !HAN.test(t.text) || Array.from(t.text).length === 1;
    if (!unit && !flag && !range && next !== undefined && mark && !isUnit(t.text) && (isUnit(next) || repairUnit(next, expectedUnit()).repaired)) continue;
    if (!range && isQualitative(clean) && range === null && i === tokens.length - 1) { range = t; continue; }
    break;
  }
  const resultText = src.text.slice(resultSpan.start, resultSpan.end);
  const qualitative = isQualitative(resultText);
  if (!unit && !range && !flag && !abbreviation && !(qualitative && tokens.length <= 4)) return null;

  const unitText = unit ? unit.text : null;
  const rangeText = range ? range.text.replace(/^[(（[]|[)）\]]$/g, '') : null;
  const flagDirection = flag ? (schema.flags[flag.text.replace(/[()]/g, '')] ?? null) : null;
  const inferred = inferDirection(resultText, rangeText);
  const direction = flagDirection ?? (inferred === false ? null : inferred);
  const analyte = lookupAnalyte(nameText, abbreviation);
  const numeric = parseNumber(resultText.replace(/^[<>≤≥]/, ''));
  const item: LabItem = {
    name: fieldValue(src, nameStart, nameEnd, analyte?.standardName ?? nameText, line),
    standardName: analyte?.standardName ?? null,
    code: analyte?.code ?? null,
    abbreviation: abbreviation ? fieldValue(src, abbreviation.start, abbreviation.end, analyte?.abbreviation ?? abbreviation.text.toUpperCase(), line) : null,
    result: fieldValue(src, resultSpan.start, resultSpan.end, qualitative ? schema.qualitativeResults[resultText]! : (NUMBER.test(resultText) && !/^[<>≤≥]/.test(resultText) ? numeric : resultText), line),
    // A misread unit (g/ → g/L) is repaired in `normalized`; `value` keeps what OCR read.
    unit: unit ? fieldValue(src, unit.start, unit.end, normalizeUnit(unitText!) ?? repairUnit(unitText!, expectedUnit()).unit, line) : null,
    range: range ? fieldValue(src, range.start, range.end, rangeText, line) : null,
    flag: flag ? fieldValue(src, flag.start, flag.end, flagDirection, line) : null,
    abnormal: flagDirection !== null ? true : inferred === null ? null : inferred !== false,
    direction,
  };
  return { item, used: i };
}

/** Lab items, read line by line; a line with two column blocks yields two items. */
export function extractLabItems(src: Source, regions: Region[]): LabItem[] {
  const items: LabItem[] = [];
  for (const region of regions) {
    for (const line of lines(src, region)) {
      let tokens = tokenize(src.text, line);
      while (tokens.length >= 2) {
        const found = itemFrom(src, tokens, line);
        if (!found) break;
        items.push(found.item);
        tokens = tokens.slice(found.used);
      }
    }
  }
  return items;
}

export function extractLab(src: Source): Record<string, unknown> {
  const regions = sectionRegions(src, 'lab_results');
  const items = extractLabItems(src, regions.length > 0 ? regions : [wholeRegion(src)]);
  return {
    items,
    abnormalCount: items.filter((i) => i.abnormal === true).length,
  };
}
