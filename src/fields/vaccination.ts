import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { extractLabelled, type LabelledSchema } from './labelled.js';
import { normalizeTime } from './normalize.js';
import { alternation, fieldValue, lines, trimSpan, wholeRegion, type Region, type Source } from './source.js';

const RECORD_FIELDS = ['vaccine', 'dose', 'date', 'lot', 'manufacturer', 'site', 'route', 'clinic', 'provider'] as const;
type RecordField = (typeof RECORD_FIELDS)[number];

interface VaccineEntry {
  standard: string;
  code: string;
  aliases: string[];
}

interface VaccinationSchema {
  holder: LabelledSchema;
  columns: Record<RecordField, string[]>;
  ignoredColumns: string[];
  otherDateLabels: string[];
  titleWords: string[];
  vaccines: VaccineEntry[];
  vaccinePattern: string;
  qualifierPattern: string;
  dose: { pattern: string; columnPattern: string };
  datePattern: string;
  lotPattern: string;
  lotToken: string;
  sites: string[];
  routes: Record<string, string>;
  manufacturers: string[];
  manufacturerSuffixes: string[];
  clinicSuffixes: string[];
}

/** One vaccination: what was given, which dose, when, which lot, by whom and where. */
export interface VaccinationRecord {
  /** Normalized to the standard name (乙肝疫苗 → 乙型肝炎疫苗) with the product qualifier the text gives. */
  vaccine: FieldValue | null;
  /** Short code of the standard vaccine (HepB, DTaP, HPV9…), null when the name is not a known vaccine. */
  code: string | null;
  /** Normalized to the dose number, or `booster`. */
  dose: FieldValue | null;
  date: FieldValue | null;
  lot: FieldValue | null;
  manufacturer: FieldValue | null;
  site: FieldValue | null;
  /** Normalized to 肌内注射 / 皮下注射 / 皮内注射 / 口服 / 鼻喷 / 局部浸润注射. */
  route: FieldValue | null;
  clinic: FieldValue | null;
  provider: FieldValue | null;
  /** The row or lines the record was read from. */
  text: FieldValue;
}

type Facts = Partial<Record<RecordField, FieldValue>> & { code?: string | null };

const schema = readJsonResource<VaccinationSchema>('fields', 'vaccination.json');
const HOLDER_LABELS = Object.values(schema.holder).flatMap((s) => s.labels);
const ALL_COLUMN_WORDS = [...Object.values(schema.columns).flat(), ...schema.ignoredColumns];
const COLUMN_OF = new Map<string, RecordField | null>(schema.ignoredColumns.map((w) => [w, null]));
for (const field of RECORD_FIELDS) for (const w of schema.columns[field]) COLUMN_OF.set(w, field);

const VACCINE_BY_ALIAS = new Map<string, VaccineEntry>();
for (const v of schema.vaccines) for (const a of v.aliases) VACCINE_BY_ALIAS.set(a.replace(/（/g, '(').replace(/）/g, ')'), v);
const ALIAS_RE = new RegExp(`(?<![A-Za-z])(?:${alternation([...VACCINE_BY_ALIAS.keys()].flatMap((a) => [a, a.replace(/\(/g, '（').replace(/\)/g, '）')]))})(?![A-Za-z])`, 'g');
const GENERIC_VACCINE_RE = new RegExp(schema.vaccinePattern);
const QUALIFIER_RE = new RegExp(schema.qualifierPattern);
const DOSE_RE = new RegExp(schema.dose.pattern, 'g');
const DOSE_CELL_RE = new RegExp(schema.dose.columnPattern);
const DATE_RE = new RegExp(schema.datePattern, 'g');
const OTHER_DATE_RE = new RegExp(`(?:${alternation(schema.otherDateLabels)})[^\\s]{0,6}$`);
const LOT_RE = new RegExp(schema.lotPattern, 'dg');
const LOT_TOKEN_RE = new RegExp(schema.lotToken);
const SITE_RE = new RegExp(`(?:${alternation(schema.sites)})`, 'g');
const ROUTE_RE = new RegExp(`(?:${alternation(Object.keys(schema.routes))})`, 'g');
const MANUFACTURER_RE = new RegExp(`(?:${alternation(schema.manufacturers)})|(?:${alternation(schema.manufacturerSuffixes)})$`);
const CLINIC_RE = new RegExp(`(?:${alternation(schema.clinicSuffixes)})$`);
const LEADING_VERBS = /^(?:已|于|给予|予|接种了?|注射了?|完成|口服|使用)+/;
const TOKEN_RE = /[^\s,，;；:：|｜、]+/g;
const ID_LIKE = /^\d{11}$|^\d{17}[\dXx]$/;
const HAN_NAME = /^[\u4e00-\u9fa5]{2,4}$/;
const TITLE_AFTER_RE = new RegExp(`^\\s*(?:${alternation(schema.titleWords)})`);

/** `LABEL：value` for each record field; a label must start a word, so 出生日期 never reads as 日期. */
const LABEL_RES = RECORD_FIELDS.map((field) => {
  const value = field === 'date' ? schema.datePattern : '[^\\s,，;；]+';
  return { field, re: new RegExp(`(?<![\\u4e00-\\u9fa5A-Za-z])(?:${alternation(schema.columns[field])})\\s*[:：]\\s*(?<value>${value})`, 'dg') };
});
const ANY_LABEL_RE = new RegExp(`(?:${alternation([...ALL_COLUMN_WORDS, ...HOLDER_LABELS])})\\s*[:：]`);

const CHINESE_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

function doseNumber(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  if (text.startsWith('十')) return 10 + (CHINESE_DIGITS[text[1] ?? ''] ?? 0);
  return CHINESE_DIGITS[text] ?? 0;
}

function normalizeDose(groups: Record<string, string | undefined>): number | string {
  if (groups.booster !== undefined || /加强/.test(groups.n ?? '')) return 'booster';
  if (groups.first !== undefined) return 1;
  return doseNumber(groups.n ?? '');
}

/** Standard name and code of a vaccine as written; the product qualifier after it is kept. */
export function normalizeVaccine(text: string): { name: string; code: string | null } {
  const folded = text.replace(/（/g, '(').replace(/）/g, ')').replace(/\s+/g, '');
  ALIAS_RE.lastIndex = 0;
  const m = ALIAS_RE.exec(folded);
  if (!m) return { name: folded, code: null };
  const entry = VACCINE_BY_ALIAS.get(m[0])!;
  const q = QUALIFIER_RE.exec(folded.slice(m.index + m[0].length));
  const qualifier = q && !/剂|针|次|加强/.test(q.groups!.q!) && !entry.standard.includes('(') ? `(${q.groups!.q!})` : '';
  return { name: entry.standard + qualifier, code: entry.code };
}

interface Claimed { spans: Region[] }
const overlaps = (claimed: Claimed, start: number, end: number): boolean => claimed.spans.some((s) => start < s.end && end > s.start);

function vaccineValue(src: Source, start: number, end: number, evidence: Region): { value: FieldValue; code: string | null } {
  const t = trimSpan(src.text, start, end);
  const { name, code } = normalizeVaccine(src.text.slice(t.start, t.end));
  return { value: fieldValue(src, t.start, t.end, name, evidence), code };
}

/** The end of a vaccine name: past the product qualifier (Vero细胞) that may follow it. */
function withQualifier(src: Source, end: number, limit: number): number {
  const q = QUALIFIER_RE.exec(src.text.slice(end, limit));
  return q && !/剂|针|次|加强/.test(q.groups!.q!) ? end + q[0].length : end;
}

function findVaccine(src: Source, region: Region, claimed: Claimed): { value: FieldValue; code: string | null } | null {
  const text = src.text.slice(region.start, region.end);
  ALIAS_RE.lastIndex = 0;
  for (let m = ALIAS_RE.exec(text); m !== null; m = ALIAS_RE.exec(text)) {
    const start = region.start + m.index;
    const end = withQualifier(src, start + m[0].length, region.end);
    if (!overlaps(claimed, start, end)) return vaccineValue(src, start, end, region);
  }
  // A vaccine the table does not list: the token that ends in 疫苗 / 菌苗 / 免疫球蛋白 / 抗毒素.
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    const g = GENERIC_VACCINE_RE.exec(m[0]);
    if (!g) continue;
    let start = region.start + m.index + g.index;
    const lead = LEADING_VERBS.exec(g[0]);
    if (lead) start += lead[0].length;
    const end = withQualifier(src, region.start + m.index + g.index + g[0].length, region.end);
    if (end > start && !overlaps(claimed, start, end)) return vaccineValue(src, start, end, region);
  }
  return null;
}

function doseValue(src: Source, start: number, m: RegExpExecArray, evidence: Region): FieldValue {
  return fieldValue(src, start, start + m[0].length, normalizeDose(m.groups ?? {}), evidence);
}

function cellValue(src: Source, field: RecordField, cell: Region, evidence: Region): Facts {
  const text = src.text.slice(cell.start, cell.end);
  if (/^[-—/／\\]*$/.test(text)) return {};
  if (field === 'vaccine') {
    // 乙肝疫苗第1剂 in one cell: the dose is its own field.
    DOSE_RE.lastIndex = 0;
    const d = DOSE_RE.exec(text);
    const end = d && d.index > 0 ? cell.start + d.index : cell.end;
    const v = vaccineValue(src, cell.start, end, evidence);
    const out: Facts = { vaccine: v.value, code: v.code };
    if (d && d.index > 0) out.dose = doseValue(src, cell.start + d.index, d, evidence);
    return out;
  }
  if (field === 'dose') {
    const d = DOSE_CELL_RE.exec(text);
    return { dose: fieldValue(src, cell.start, cell.end, d ? normalizeDose(d.groups ?? {}) : text, evidence) };
  }
  if (field === 'date') return { date: fieldValue(src, cell.start, cell.end, normalizeTime(text), evidence) };
  if (field === 'route') return { route: fieldValue(src, cell.start, cell.end, schema.routes[text] ?? text, evidence) };
  return { [field]: fieldValue(src, cell.start, cell.end, text, evidence) };
}

/** Labelled record fields of a region (疫苗名称：… 接种日期：…). */
function labelledFacts(src: Source, region: Region, claimed: Claimed): Facts {
  const facts: Facts = {};
  for (const { field, re } of LABEL_RES) {
    re.lastIndex = 0;
    const text = src.text.slice(region.start, region.end);
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const pair = m.indices!.groups!.value!;
      let start = region.start + pair[0];
      let end = region.start + pair[1];
      const stop = src.text.slice(start, end).search(ANY_LABEL_RE);
      if (stop === 0) continue;
      if (stop > 0) end = start + stop;
      const labelStart = region.start + m.index;
      if (overlaps(claimed, labelStart, end) || facts[field]) continue;
      claimed.spans.push({ start: labelStart, end });
      const t = trimSpan(src.text, start, end);
      start = t.start;
      end = t.end;
      if (field === 'vaccine') {
        const v = vaccineValue(src, start, withQualifier(src, end, region.end), region);
        facts.vaccine = v.value;
        facts.code = v.code;
      } else {
        Object.assign(facts, cellValue(src, field, { start, end }, region));
      }
      break;
    }
  }
  return facts;
}

/**
 * Record fields of a line or row without columns: labelled values first, then a date, a dose, a vaccine,
 * a lot, a site and a route wherever they stand, then the tokens that end like a manufacturer or a vaccinating
 * unit. `lastNameIsProvider`: in a table row, a trailing 2–4 character name is the vaccinator's signature.
 */
function scanFacts(src: Source, region: Region, lastNameIsProvider: boolean): Facts {
  const claimed: Claimed = { spans: [] };
  const facts = labelledFacts(src, region, claimed);
  const text = src.text.slice(region.start, region.end);
  const claim = (start: number, end: number): void => { claimed.spans.push({ start, end }); };
  if (!facts.date) {
    DATE_RE.lastIndex = 0;
    for (let m = DATE_RE.exec(text); m !== null; m = DATE_RE.exec(text)) {
      const start = region.start + m.index;
      if (overlaps(claimed, start, start + m[0].length) || OTHER_DATE_RE.test(text.slice(Math.max(0, m.index - 10), m.index))) continue;
      facts.date = fieldValue(src, start, start + m[0].length, normalizeTime(m[0]), region);
      claim(start, start + m[0].length);
      break;
    }
  }
  if (!facts.lot) {
    LOT_RE.lastIndex = 0;
    for (let m = LOT_RE.exec(text); m !== null; m = LOT_RE.exec(text)) {
      const lot = m.indices!.groups!.lot!;
      if (overlaps(claimed, region.start + m.index, region.start + lot[1])) continue;
      facts.lot = fieldValue(src, region.start + lot[0], region.start + lot[1], m.groups!.lot!, region);
      claim(region.start + m.index, region.start + lot[1]);
      break;
    }
  }
  if (!facts.dose) {
    DOSE_RE.lastIndex = 0;
    for (let m = DOSE_RE.exec(text); m !== null; m = DOSE_RE.exec(text)) {
      const start = region.start + m.index;
      if (overlaps(claimed, start, start + m[0].length)) continue;
      facts.dose = doseValue(src, start, m, region);
      claim(start, start + m[0].length);
      break;
    }
  }
  if (!facts.vaccine) {
    const v = findVaccine(src, region, claimed);
    if (v) {
      facts.vaccine = v.value;
      facts.code = v.code;
      claim(src.toU16 ? src.toU16[v.value.start]! : v.value.start, src.toU16 ? src.toU16[v.value.end]! : v.value.end);
    }
  }
  for (const [field, re] of [['site', SITE_RE], ['route', ROUTE_RE]] as const) {
    if (facts[field]) continue;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const start = region.start + m.index;
      if (overlaps(claimed, start, start + m[0].length)) continue;
      facts[field] = fieldValue(src, start, start + m[0].length, field === 'route' ? schema.routes[m[0]]! : m[0], region);
      claim(start, start + m[0].length);
      break;
    }
  }
  const free: Region[] = [];
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m !== null; m = TOKEN_RE.exec(text)) {
    const start = region.start + m.index;
    if (!overlaps(claimed, start, start + m[0].length)) free.push({ start, end: start + m[0].length });
  }
  for (const token of free) {
    const t = src.text.slice(token.start, token.end);
    if (!facts.clinic && CLINIC_RE.test(t)) facts.clinic = fieldValue(src, token.start, token.end, t, region);
    else if (!facts.manufacturer && MANUFACTURER_RE.test(t)) facts.manufacturer = fieldValue(src, token.start, token.end, t, region);
    else if (!facts.lot && LOT_TOKEN_RE.test(t) && !ID_LIKE.test(t)) facts.lot = fieldValue(src, token.start, token.end, t, region);
    else continue;
    claim(token.start, token.end);
  }
  const last = free.filter((r) => !overlaps(claimed, r.start, r.end)).at(-1);
  if (lastNameIsProvider && !facts.provider && last && HAN_NAME.test(src.text.slice(last.start, last.end))) {
    facts.provider = fieldValue(src, last.start, last.end, src.text.slice(last.start, last.end), region);
  }
  return facts;
}

/** A vaccine named in a title (新冠病毒疫苗接种记录, 乙肝疫苗接种凭证): the heading of the document, not a record. */
function isTitle(src: Source, vaccine: FieldValue, line: Region): boolean {
  const end = src.toU16 ? src.toU16[vaccine.end]! : vaccine.end;
  return TITLE_AFTER_RE.test(src.text.slice(end, line.end));
}

const isRecord = (f: Facts): boolean => !!(f.date || f.dose);
const administered = (f: Facts): boolean => !!(f.date || f.lot || f.clinic || f.provider || f.manufacturer);
const hasAny = (f: Facts): boolean => RECORD_FIELDS.some((k) => f[k]);

/** Column fields of a table header line (疫苗名称 剂次 接种日期 批号 …), or null when the line is not one. */
function headerColumns(src: Source, line: Region): Array<RecordField | null> | null {
  const tokens = src.text.slice(line.start, line.end).split(/[\s|｜]+/).filter((t) => t !== '');
  const known = tokens.filter((t) => COLUMN_OF.has(t));
  if (known.length < 3 || known.length < tokens.length * 0.6) return null;
  return tokens.map((t) => COLUMN_OF.get(t) ?? null);
}

/** Cells of a row, when they line up with the header's columns. */
function rowCells(src: Source, line: Region, count: number): Region[] | null {
  for (const sep of [/\t|\s{2,}|\s*[|｜]\s*/g, /\s+/g]) {
    const cells: Region[] = [];
    let start = line.start;
    const text = src.text.slice(line.start, line.end);
    sep.lastIndex = 0;
    for (let m = sep.exec(text); m !== null; m = sep.exec(text)) {
      cells.push({ start, end: line.start + m.index });
      start = line.start + m.index + m[0].length;
    }
    cells.push({ start, end: line.end });
    if (cells.length === count) return cells;
  }
  return null;
}

function rowFacts(src: Source, line: Region, columns: Array<RecordField | null>): Facts {
  const cells = rowCells(src, line, columns.length);
  if (!cells) return scanFacts(src, line, true);
  const facts: Facts = {};
  cells.forEach((cell, i) => {
    const field = columns[i];
    if (field) for (const [k, v] of Object.entries(cellValue(src, field, cell, line))) if (v !== undefined && (facts as Record<string, unknown>)[k] === undefined) (facts as Record<string, unknown>)[k] = v;
  });
  return facts;
}

interface Group { facts: Facts; start: number; end: number }

function toRecord(src: Source, g: Group, defaults: Facts): VaccinationRecord {
  const pick = (k: RecordField): FieldValue | null => g.facts[k] ?? defaults[k] ?? null;
  return {
    vaccine: pick('vaccine'),
    code: g.facts.vaccine ? g.facts.code ?? null : defaults.code ?? null,
    dose: pick('dose'), date: pick('date'), lot: pick('lot'), manufacturer: pick('manufacturer'), site: pick('site'),
    route: pick('route'), clinic: pick('clinic'), provider: pick('provider'),
    text: fieldValue(src, g.start, g.end, null, { start: g.start, end: g.end }),
  };
}

/** The vaccination records of a certificate, in document order. */
export function extractVaccinationRecords(src: Source): VaccinationRecord[] {
  const all = lines(src, wholeRegion(src));
  const records: Group[] = [];
  const defaults: Facts = {};
  const titleFacts: Facts = {};
  let open: Group | null = null;
  const close = (): void => {
    if (!open) return;
    if (isRecord(open.facts)) {
      // 第3剂 with nothing given (no date, lot, maker, unit or signature) is a dose still to come.
      if (administered(open.facts)) records.push(open);
    } else for (const [k, v] of Object.entries(open.facts)) if ((defaults as Record<string, unknown>)[k] === undefined) (defaults as Record<string, unknown>)[k] = v;
    open = null;
  };
  for (let i = 0; i < all.length; i++) {
    const columns = headerColumns(src, all[i]!);
    if (columns) {
      // What the lines just above the table name without a date (the vaccine heading a per-vaccine table, the maker
      // and unit of a rabies card) holds for this table's rows.
      const context: Facts = open && !isRecord(open.facts) ? open.facts : {};
      if (open && !isRecord(open.facts)) open = null;
      close();
      // A row without a vaccine (merged cell) takes the one above.
      let previous: Facts | null = null;
      for (; i + 1 < all.length; i++) {
        const row = all[i + 1]!;
        // The next table's header, or a line without date or dose (the heading of the next vaccine), ends the table.
        if (headerColumns(src, row)) break;
        const facts = rowFacts(src, row, columns);
        if (!isRecord(facts)) break;
        // A pre-printed row for a dose not given yet (vaccine and dose only) is no record.
        if (!administered(facts)) continue;
        if (!facts.vaccine && previous?.vaccine) {
          facts.vaccine = previous.vaccine;
          facts.code = previous.code ?? null;
          facts.manufacturer ??= previous.manufacturer;
        }
        if (!facts.vaccine && context.vaccine) facts.code = context.code ?? null;
        for (const k of RECORD_FIELDS) facts[k] ??= context[k];
        records.push({ facts, start: row.start, end: row.end });
        previous = facts;
      }
      continue;
    }
    const line = all[i]!;
    // A line counts with labelled fields, or with a date, a dose or a vaccine read anywhere in it.
    let facts = labelledFacts(src, line, { spans: [] });
    const scanned = scanFacts(src, line, false);
    const title = scanned.vaccine && !hasAny(facts) && isTitle(src, scanned.vaccine, line);
    // The vaccine a title names (新冠疫苗接种记录) is the last resort for records that name none.
    if (title && !titleFacts.vaccine) Object.assign(titleFacts, { vaccine: scanned.vaccine, code: scanned.code ?? null });
    if (hasAny(facts) || scanned.date || scanned.dose || (scanned.vaccine && !title)) facts = scanned;
    // Inside a record, a line that is just a maker, a unit or a lot (app listings print them one per line) belongs to it.
    else if (open && isRecord((open as Group).facts) && !/\s/.test(src.text.slice(line.start, line.end).trim())) facts = scanned;
    if (!hasAny(facts)) continue;
    const current: Group | null = open;
    if (current && RECORD_FIELDS.some((k) => facts[k] && current.facts[k])) close();
    if (!open) open = { facts: {}, start: line.start, end: line.end };
    const group: Group = open;
    for (const k of RECORD_FIELDS) if (facts[k]) group.facts[k] = facts[k];
    if (facts.vaccine) group.facts.code = facts.code ?? null;
    group.end = line.end;
    // A line with a date and a vaccine is a record of its own: what follows it is not part of it.
    if (facts.date && facts.vaccine) close();
  }
  close();
  if (!defaults.vaccine && titleFacts.vaccine) Object.assign(defaults, titleFacts);
  return records.sort((a, b) => a.start - b.start).map((g) => toRecord(src, g, defaults));
}

/** The holder's name field alone, one object for the run (extractLabelled compiles a schema once). */
const HOLDER_NAME: LabelledSchema = { name: schema.holder.name! };

export function extractVaccination(src: Source): Record<string, unknown> {
  const stops = [...HOLDER_LABELS, ...ALL_COLUMN_WORDS];
  const holder = extractLabelled(src, wholeRegion(src), schema.holder, stops);
  // 监护人姓名 printed before the child's 姓名 also ends in 姓名: the holder's name is the next one.
  if (holder.name && holder.guardian && holder.name.start === holder.guardian.start) {
    const after = src.toU16 ? src.toU16[holder.guardian.end]! : holder.guardian.end;
    const next = extractLabelled(src, { start: after, end: src.text.length }, HOLDER_NAME, stops).name;
    if (next) holder.name = next;
    else delete holder.name;
  }
  return {
    holder: Object.fromEntries(Object.keys(schema.holder).map((k) => [k, holder[k] ?? null])),
    records: extractVaccinationRecords(src),
  };
}
