import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { deidResources, type DeidResources } from './resources.js';
import { hasProvinceCode, isValidId18, looksLikeId15, looksLikeId18 } from './idcard.js';
import type { PhiType } from './types.js';

/** A PHI candidate in UTF-16 offsets of the (width-normalized) text; `priority` settles overlaps. */
export interface Candidate {
  start: number;
  end: number;
  type: PhiType;
  priority: number;
  source: string;
}

const HAN = /\p{Script=Han}/u;
const NAME_TYPES: ReadonlySet<PhiType> = new Set(['patient_name', 'relative_name', 'staff_name']);
const FOREIGN_DOT = /[·•・]/;

/** Full-width ASCII to ASCII and the ideographic space to a space; one UTF-16 unit each, so offsets do not move. */
export function widthNormalize(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xff01 && c <= 0xff5e) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0x3000) out += ' ';
    else out += ch;
  }
  return out;
}

function isHan(ch: string | undefined): boolean {
  return ch !== undefined && HAN.test(ch);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function alternation(words: Iterable<string>): string {
  return [...new Set(words)].sort((a, b) => b.length - a.length).map(escapeRegex).join('|');
}

const SPACED_LABEL = /^[\p{Script=Han} \t]+$/u;

/** The lookup key of a label: a Chinese label without its spaces (姓    名 → 姓名). */
function labelKey(label: string): string {
  return SPACED_LABEL.test(label) ? label.replace(/[ \t]/g, '') : label;
}

/** A label's regex: the characters of a Chinese label may be spaced out, as aligned forms print them (姓    名). */
function labelSource(label: string): string {
  return SPACED_LABEL.test(label) ? Array.from(label).map(escapeRegex).join('[ \\t]{0,4}') : escapeRegex(label);
}

interface Compiled {
  res: DeidResources;
  labelRe: RegExp;
  labelStartRe: RegExp;
  labelType: Map<string, PhiType>;
  stopRe: RegExp;
  nonNames: Set<string>;
  titleRe: RegExp;
  titleStartRe: RegExp;
  institutionEndRe: RegExp;
  leftContext: string[];
  addressStartRe: RegExp;
  addressStopRe: RegExp;
  addressTerminalRe: RegExp;
  streetPartRe: RegExp;
  hospitalSuffixRe: RegExp;
  hospitalTriggers: string[];
  hospitalGeneric: Set<string>;
  nameRightWord: RegExp;
  nameRightChar: Set<string>;
  notInNames: Set<string>;
  singleSurnameTitles: Set<string>;
  bareSurnameLeft: string[];
  titleFunctionWords: Set<string>;
  colonStaffLabels: Set<string>;
  personLabelEndRe: RegExp;
  staffLabelPartRe: RegExp;
  relativeLabelPartRe: RegExp;
  aliasContext: RegExp;
  latinStopRe: RegExp;
  numberLabelRe: RegExp;
  numberKindRe: RegExp;
  notIdentifierLabelRe: RegExp;
  notAfterHalfNames: Set<string>;
  foreignNameStops: Set<string>;
}

let compiled: Compiled | null = null;

function compile(): Compiled {
  if (compiled) return compiled;
  const res = deidResources();
  const labelType = new Map<string, PhiType>();
  const labelTypes: PhiType[] = ['patient_name', 'relative_name', 'staff_name', 'id_card', 'passport', 'phone', 'email', 'address', 'record_number', 'insurance_number', 'license_plate', 'date', 'age', 'hospital'];
  for (const type of labelTypes) {
    for (const label of res.labels[type]) if (!labelType.has(labelKey(label))) labelType.set(labelKey(label), type);
  }
  const g = res.gazetteer;
  compiled = {
    res,
    labelRe: new RegExp([...labelType.keys()].sort((a, b) => b.length - a.length).map(labelSource).join('|'), 'g'),
    labelStartRe: new RegExp(`^(?:${[...labelType.keys()].sort((a, b) => b.length - a.length).map(labelSource).join('|')})`),
    labelType,
    stopRe: new RegExp(`^(?:${alternation(res.labels.stop)})`),
    nonNames: new Set(res.labels.non_name),
    titleRe: new RegExp(alternation(res.labels.staff_titles), 'g'),
    titleStartRe: new RegExp(`^(?:${alternation(res.labels.staff_titles)})`),
    institutionEndRe: new RegExp(alternation(res.labels.institution_endings), 'g'),
    leftContext: [...res.labels.name_left_context].sort((a, b) => b.length - a.length),
    addressStartRe: new RegExp(`${alternation([...g.provinces, ...g.districts, ...g.cities.flatMap((c) => [`${c}市`, c])])}`, 'g'),
    addressStopRe: new RegExp(alternation(g.stop)),
    addressTerminalRe: new RegExp(`(?:${alternation(g.terminals)})`, 'g'),
    streetPartRe: new RegExp(alternation(g.street_parts)),
    hospitalSuffixRe: new RegExp(`(?:${alternation(res.hospitals.suffixes)})`, 'g'),
    hospitalTriggers: [...res.hospitals.left_triggers].sort((a, b) => b.length - a.length),
    hospitalGeneric: new Set(res.hospitals.generic),
    nameRightWord: new RegExp(`^(?:${alternation(res.labels.name_right_words)})`),
    nameRightChar: new Set(res.labels.name_right_chars),
    notInNames: new Set(res.labels.not_in_names),
    singleSurnameTitles: new Set(res.labels.single_surname_titles),
    bareSurnameLeft: res.labels.bare_surname_left_words,
    titleFunctionWords: new Set(res.labels.title_function_words),
    colonStaffLabels: new Set(res.labels.colon_staff_labels),
    personLabelEndRe: new RegExp(`(?:${alternation(res.labels.person_label_endings)})$`),
    staffLabelPartRe: new RegExp(alternation(res.labels.staff_label_parts)),
    relativeLabelPartRe: new RegExp(alternation(res.labels.relative_label_parts)),
    latinStopRe: new RegExp(`,? (?:${alternation(res.labels.latin_stop)})(?![A-Za-z])`),
    numberLabelRe: new RegExp(`(\\p{Script=Han}{0,8}(?:${alternation(res.labels.number_label_endings)}))[ \\t]*[:：][ \\t]*`, 'gu'),
    numberKindRe: new RegExp(`(?:${alternation(res.labels.number_kinds)})[ \\t]*\\(([A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])\\)`, 'g'),
    notIdentifierLabelRe: new RegExp(`(?:${alternation(res.labels.not_identifier_labels)})$`),
    notAfterHalfNames: new Set(res.labels.not_after_half_names),
    foreignNameStops: new Set(res.labels.foreign_name_stops),
    aliasContext: new RegExp(`(?:${alternation(res.hospitals.alias_left)})(\\p{Script=Han}{2,6}?)(?=${alternation(res.hospitals.alias_right)}|[,.;，。；])`, 'gu'),
  };
  return compiled;
}

/** Length of the surname at `i` (2 for a compound surname), or 0. `strict` leaves out surnames that are also common words. */
function surnameAt(c: Compiled, s: string, i: number, strict: boolean): number {
  if (c.res.compoundSurnames.has(s.slice(i, i + 2))) return 2;
  const ch = s[i];
  if (ch === undefined) return 0;
  if (c.res.commonSurnames.has(ch)) return 1;
  if (!strict && c.res.ambiguousSurnames.has(ch)) return 1;
  return 0;
}

let jieba: Jieba | null = null;

/** The word segmenter, loaded on the first name that only running text vouches for (~0.7 s). */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

/** Proper-noun tags: person (nr, nrt, nrfg) and place (ns) names; jieba tags many given names as places. */
const PROPER_TAG = /^n[rs]/;

/** True when `text` is one dictionary word that is not a proper noun (皮肤, 常常, 商讨). */
function isCommonWord(text: string): boolean {
  const tokens = segmenter().tag(text);
  return tokens.length === 1 && !PROPER_TAG.test(tokens[0]!.tag);
}

/** True when the segmenter reads part of `text` as a proper noun (向德胜, 白天宇, 于桂兰). */
function hasNameToken(text: string): boolean {
  return segmenter().tag(text).some((t) => PROPER_TAG.test(t.tag));
}

const FUNCTION_TAG = /^(?:v|vn|vd|a|ad|an|d|p|c|u|k)$/;

/**
 * For a surname that is also an everyday word (应, 易, 高, 向 …): false when the segmenter reads the
 * candidate as ordinary words — a word across the surname (应该在), a verb or adjective of two or more
 * characters (应熟练, 易发生), or a single verb after the surname (应做, 易出).
 */
function plausibleWithAmbiguousSurname(name: string, surnameLength: number): boolean {
  const tokens = segmenter().tag(name);
  if (tokens[0]!.word.length > surnameLength && !PROPER_TAG.test(tokens[0]!.tag)) return false;
  if (tokens.some((t) => t.word.length >= 2 && FUNCTION_TAG.test(t.tag))) return false;
  return !(name.length === surnameLength + 1 && tokens.length === 2 && tokens[1]!.tag === 'v');
}

/**
 * A kinship label (其妻, 孙女) is followed by a name or by what is said of the relative; a name-ending character
 * after the name is enough there unless the segmenter reads a conjunction (母亲和胎儿的) or a common noun
 * after an adjective (母亲高水平的).
 */
function plausibleAfterKinship(name: string): boolean {
  const tokens = segmenter().tag(name);
  return tokens[0]!.tag !== 'c' && !tokens.some((t) => t.word.length >= 2 && /^n(?![rs])/.test(t.tag));
}

/** True when [start, end) overlaps a clinical word listed as an exception (张力性气胸, 白细胞 …). */
function touchesException(c: Compiled, s: string, start: number, end: number): boolean {
  for (let a = Math.max(0, start - 4); a < end; a++) {
    for (let len = 2; len <= 8 && a + len <= s.length; len++) {
      if (a + len <= start) continue;
      if (c.res.exceptions.has(s.slice(a, a + len))) return true;
    }
  }
  return false;
}

function isNonName(c: Compiled, name: string): boolean {
  if (c.nonNames.has(name)) return true;
  for (const w of c.nonNames) if (w.length >= 2 && name.startsWith(w)) return true;
  return false;
}

/** Punctuation that may directly follow a name in running text (the strongest ending). */
const NAME_RIGHT_PUNCT = /^(?:[,.;:、!?()\s"“”'<>[\]【】《》/|]|$)/;

/** How well the text at `end` ends a name: 3 punctuation, 2 a known following word (代诉) or a staff title (主任), 1 a following character (因), 0 none. */
function rightContextRank(c: Compiled, s: string, end: number): number {
  const next = s.slice(end, end + 3);
  if (NAME_RIGHT_PUNCT.test(next)) return 3;
  if (c.nameRightWord.test(next) || c.titleStartRe.test(s.slice(end, end + 5))) return 2;
  return c.nameRightChar.has(next[0] ?? '') ? 1 : 0;
}

/**
 * A name in running text at `p`: a surname then one or two given-name characters, followed by a
 * word that can end a name (the strongest such ending wins). Returns the end offset or -1.
 */
function readContextName(c: Compiled, s: string, p: number, strict: boolean): number {
  let foreign = readForeignName(s, p);
  if (foreign > 0) {
    // In running text the part after the dot runs on into the sentence (古丽娜尔·吐尔逊诉患者…): cut it at a
    // character that transliterations do not use.
    const dot = Math.max(...[...'·•・'].map((d) => s.lastIndexOf(d, foreign - 1)));
    for (let k = dot + 2; k < foreign; k++) if (c.foreignNameStops.has(s[k]!)) { foreign = k; break; }
    const word = c.res.labels.name_right_words.find((w) => s.slice(p, foreign).endsWith(w) && FOREIGN_DOT.test(s.slice(p, foreign - w.length - 1)));
    return word ? foreign - word.length : foreign;
  }
  const half = readHalfName(c, s, p);
  if (half > 0) return half;
  const sl = surnameAt(c, s, p, strict);
  if (sl === 0) return -1;
  let best = -1;
  let bestRank = 0;
  for (const given of [2, 1]) {
    const end = p + sl + given;
    let ok = true;
    for (let k = p + sl; k < end; k++) if (!isHan(s[k]) || c.notInNames.has(s[k]!)) ok = false;
    if (!ok) continue;
    const rank = rightContextRank(c, s, end);
    if (rank <= bestRank) continue;
    const name = s.slice(p, end);
    if (isNonName(c, name) || touchesException(c, s, p, end) || isCommonWord(name)) continue;
    if (c.res.ambiguousSurnames.has(name[0]!) && sl === 1 && !plausibleWithAmbiguousSurname(name, sl)) continue;
    best = end;
    bestRank = rank;
  }
  return best;
}

/**
 * A surname written with 某 or 某某 (程某某, 其女于某), as half-anonymized records write names; never before
 * a place, an institution or a time (于某某医院, 某日). After a surname that is also a word, a single 某 must
 * be followed by what can end a name (于某表示…, not 于某处).
 */
function readHalfName(c: Compiled, s: string, p: number): number {
  const sl = surnameAt(c, s, p, false);
  if (sl === 0 || s[p + sl] !== '某') return -1;
  const double = s[p + sl + 1] === '某';
  const end = p + sl + (double ? 2 : 1);
  if (s[end] === '某' || c.notAfterHalfNames.has(s[end] ?? '')) return -1;
  if (double || surnameAt(c, s, p, true) === sl) return end;
  return !isHan(s[end]) || rightContextRank(c, s, end) > 0 ? end : -1;
}

/** A transliterated name with a middle dot (阿卜杜拉·买买提), or -1. */
function readForeignName(s: string, p: number): number {
  const m = /^\p{Script=Han}{1,8}[·•・]\p{Script=Han}{1,10}(?:[·•・]\p{Script=Han}{1,10})?/u.exec(s.slice(p, p + 32));
  return m ? p + m[0].length : -1;
}

/** The value after a name label (姓名：张三): two to four characters, cut before the next field label. */
function readLabeledName(c: Compiled, s: string, p: number): number {
  const latin = readLatinName(c, s, p);
  if (latin > 0) return latin;
  let q = p;
  while (q < s.length && q - p < 16 && (isHan(s[q]) || FOREIGN_DOT.test(s[q]!))) q++;
  if (q === p || c.stopRe.test(s.slice(p, p + 6))) return -1;
  let len = q - p;
  for (let k = 2; k < len; k++) {
    if (c.stopRe.test(s.slice(p + k, p + k + 6))) { len = k; break; }
  }
  const value = s.slice(p, p + len);
  if (FOREIGN_DOT.test(value)) return /^[^·•・].*[^·•・]$/u.test(value) ? p + len : -1;
  const max = c.res.compoundSurnames.has(value.slice(0, 2)) ? 5 : 4;
  if (len < 2 || len > max) return -1;
  if (isNonName(c, value)) return -1;
  // Without a surname, an everyday word after the label is not a name (患者：男性，…).
  if (surnameAt(c, s, p, false) === 0 && isCommonWord(value)) return -1;
  return p + len;
}

const LATIN_NAME = /^((?:Dr|Mr|Mrs|Ms|Miss|Prof)\.? )?[A-Z][A-Za-z'-]+(?:,? [A-Z][A-Za-z'-]+){0,3}/;

/**
 * A Latin or pinyin name (Zhang Wei, ZHANG Wei, LI LEI, Dr. Wang) with its honorific, cut before an English
 * field word (Sex, DOB). A single all-capital word (CT, MRI) is no name.
 */
function readLatinName(c: Compiled, s: string, p: number): number {
  const m = LATIN_NAME.exec(s.slice(p, p + 60));
  if (!m) return -1;
  const stop = c.latinStopRe.exec(m[0]);
  const text = stop ? m[0].slice(0, stop.index) : m[0];
  const words = text.slice(m[1]?.length ?? 0).split(/,? /).filter((w) => w !== '');
  if (words.length === 0 || (words.length === 1 && !/[a-z]/.test(words[0]!))) return -1;
  return p + text.length;
}

const PINYIN_WORD = /^(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|uai|iao|ian|uan|van|ai|ei|ao|ou|an|en|in|un|vn|ia|ie|iu|ua|uo|ui|ue|ve|er|a|o|e|i|u|v)){1,3}$/i;

/**
 * A pinyin name right after a label in running text (患者Fang Zhang，男): two or three words of pinyin
 * syllables ended by punctuation; abbreviations (HBV DNA, CT) are no pinyin.
 */
function readPinyinName(c: Compiled, s: string, p: number): number {
  const end = readLatinName(c, s, p);
  if (end < 0 || rightContextRank(c, s, end) < 3) return -1;
  const words = s.slice(p, end).split(' ');
  return words.length >= 2 && words.length <= 3 && words.every((w) => PINYIN_WORD.test(w)) ? end : -1;
}

/**
 * A colon or a table rule (| 姓名 | 王芳 |), possibly after a note in brackets (转诊医生（签字）：) or after the
 * labels of the values that follow the first one (姓名/性别/年龄：王芳/女/45岁, 陪护人及电话：), possibly followed
 * by a note in brackets (开方医师：（电子签名）韦海燕); or spaces.
 */
const SEPARATOR = /^(?:[ \t]*\([\p{Script=Han}]{1,4}\))?(?:[/、及]\p{Script=Han}{2,4}){0,4}[ \t]*[:：|][ \t]*(?:\([\p{Script=Han}]{2,4}\)[ \t]*)?|^[ \t]+/u;

function separatorAfter(s: string, i: number): number {
  const m = SEPARATOR.exec(s.slice(i, i + 12));
  return m ? m[0].length : 0;
}

/**
 * Where the value of a label that stands alone on its line starts, when it is written on the next line
 * (OCR of forms: 姓名⏎张伟, 身份证号⏎110…); -1 otherwise.
 */
function valueBelow(s: string, at: number, after: number): number {
  if (at > 0 && !/\n[ \t]*$/.test(s.slice(Math.max(0, at - 8), at))) return -1;
  const m = /^[ \t]*[:：]?[ \t]*\n[ \t]*(?=\S)/.exec(s.slice(after, after + 16));
  return m ? after + m[0].length : -1;
}

/**
 * A name that is a whole line under its label, as OCR reads it: possibly with one stray space inside
 * (白 佳怡, 上 官浩然), which is read as if it were not there.
 */
function readLineName(c: Compiled, s: string, p: number): number {
  const lineEnd = s.indexOf('\n', p) < 0 ? s.length : s.indexOf('\n', p);
  const line = s.slice(p, lineEnd).trimEnd();
  if (!/^[\p{Script=Han}·•・]+(?: [\p{Script=Han}·•・]+)?$/u.test(line)) {
    const latin = readLatinName(c, s, p);
    return latin === p + line.length && s.slice(p, latin).split(' ').every((w) => PINYIN_WORD.test(w)) ? latin : -1;
  }
  const joined = line.replace(' ', '');
  return readLabeledName(c, joined, 0) === joined.length ? p + line.length : -1;
}

/**
 * An identity or mobile number with one stray space that OCR put inside it (11010819661 2180196,
 * 19436 703581): read when the digits without the space make an identity number of the right shape
 * or an 11-digit mobile number.
 */
function readSpacedNumber(s: string, p: number, type: 'id_card' | 'phone'): number {
  const m = /^\d+ \d+[Xx]?(?![\dA-Za-z])/.exec(s.slice(p, p + 24));
  if (!m) return -1;
  const digits = m[0].replace(' ', '');
  const ok = type === 'id_card' ? looksLikeId18(digits) || looksLikeId15(digits) : /^1[3-9]\d{9}$/.test(digits);
  return ok ? p + m[0].length : -1;
}

/** Another name of a list after a role label (术者：王强、李明). */
function readListedNames(c: Compiled, s: string, from: number, out: Candidate[], type: PhiType, priority: number): void {
  let p = from;
  for (;;) {
    const sep = /^(?:[、,/，]|\s|和|及){1,3}/.exec(s.slice(p, p + 4));
    if (!sep || sep[0].includes('\n')) return;
    const start = p + sep[0].length;
    const end = readContextName(c, s, start, false);
    if (end < 0) return;
    out.push({ start, end, type, priority, source: 'label' });
    p = end;
  }
}

const VALUE_READERS: Partial<Record<PhiType, RegExp>> = {
  id_card: /^(?:\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx]|\d{15}|[\dXx]{8,20})/,
  passport: /^[A-Za-z]{0,2}\d{6,10}/,
  phone: /^(?:\+?86[ -]?)?(?:\(0?\d{2,3}\)|0?\d{2,4})?[ -]?\d{3,4}[ -]?\d{3,5}(?: ?(?:转|ext\.?) ?\d{1,5}|-\d{1,5})?/,
  email: /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/,
  insurance_number: /^[A-Za-z0-9][A-Za-z0-9_-]*(?:[ -]\d{3,})*/,
  // Bank card numbers are printed in groups of four (6214 8678 6318 7017 474).
  record_number: /^\d{4}(?: \d{4}){2,3}(?: \d{1,4})?(?![\dA-Za-z])|^[A-Za-z0-9][A-Za-z0-9_/.-]*[A-Za-z0-9]|^\d/,
  license_plate: /^[\p{Script=Han}][A-Z][·• ]?[A-Z0-9]{5,6}/u,
  date: /^(?:(?:19|20)\d{2}[年./-]\d{1,2}[月./-]\d{1,2}[日号]?(?:[ T]*\d{1,2}(?::\d{2}(?::\d{2})?分?|时(?:\d{1,2}分(?:\d{1,2}秒)?)?))?|(?:19|20)\d{6}|(?:19|20)\d{2}年\d{1,2}月)/,
  age: /^\d{1,3}(?:\s*(?:岁|周岁|Y|y))?/,
};

/** An address that ends in a house-number part is complete; a line break after anything else may wrap it. */
const ADDRESS_COMPLETE = /(?:号|室|组|户|\)|）)$/;

function readAddressValue(s: string, p: number): number {
  let q = p;
  while (q < s.length && q - p < 60 && /[\p{Script=Han}0-9A-Za-z#()\-－]/u.test(s[q]!)) q++;
  for (let k = 2; k < q - p; k++) {
    if (/^(?:电话|手机|邮编|联系|职业|工作|婚姻|籍贯|民族|出生)/.test(s.slice(p + k, p + k + 4))) { q = p + k; break; }
  }
  return q - p >= 3 ? q : -1;
}

/**
 * An address wrapped onto the next line (住址⏎湖南省长沙市岳麓区城南⏎街道长江路128号1094室): the line after an
 * address that does not end in a house-number part, when that whole line reads as an address part and holds
 * one (号, 室, 村, 组 …). Returns the continuation's [start, end) or null.
 */
function readAddressContinuation(c: Compiled, s: string, start: number, end: number): [number, number] | null {
  if (s[end] !== '\n' || ADDRESS_COMPLETE.test(s.slice(start, end))) return null;
  const from = end + 1;
  const lineEnd = s.indexOf('\n', from) < 0 ? s.length : s.indexOf('\n', from);
  const line = s.slice(from, lineEnd).trimEnd();
  if (line.length < 2 || line.length > 40 || /[:：]/.test(line)) return null;
  if (c.labelStartRe.test(line)) return null;
  const value = readAddressValue(s, from);
  c.addressTerminalRe.lastIndex = 0;
  if (value !== from + line.length || !c.addressTerminalRe.test(line)) return null;
  return [from, value];
}

function readHospitalValue(s: string, p: number): number {
  const m = /^[\p{Script=Han}()（）0-9]{4,30}/u.exec(s.slice(p, p + 30));
  return m ? p + m[0].length : -1;
}

function detectLabeled(c: Compiled, s: string, out: Candidate[]): void {
  c.labelRe.lastIndex = 0;
  for (let m = c.labelRe.exec(s); m; m = c.labelRe.exec(s)) {
    const label = m[0];
    const type = c.labelType.get(labelKey(label))!;
    const at = m.index;
    const after = at + label.length;
    if (/^[A-Za-z]/.test(label) && (/[A-Za-z]/.test(s[at - 1] ?? '') || (/[A-Za-z]$/.test(label) && /[A-Za-z]/.test(s[after] ?? '')))) continue;
    const below = valueBelow(s, at, after);
    const sep = below > 0 ? below - after : separatorAfter(s, after);
    const p = after + sep;
    if (NAME_TYPES.has(type)) {
      const colon = /[:：|]/.test(s.slice(after, p));
      let end = below > 0 ? Math.max(readLineName(c, s, p), isHan(s[p]) ? readLabeledName(c, s, p) : -1) : colon ? readLabeledName(c, s, p) : /^[A-Za-z]/.test(label) ? readLatinName(c, s, p) : /^[A-Za-z]/.test(s[p] ?? '') ? readPinyinName(c, s, p) : readContextName(c, s, p, true);
      if (end < 0 && !colon) {
        const loose = readContextName(c, s, p, false);
        const rank = loose > 0 ? rightContextRank(c, s, loose) : 0;
        const kin = rank === 1 && type === 'relative_name' && plausibleAfterKinship(s.slice(p, loose));
        if (rank === 3 || (rank === 2 && hasNameToken(s.slice(p, loose))) || kin) end = loose;
      }
      if (end < 0) continue;
      out.push({ start: p, end, type, priority: 75, source: 'label' });
      readListedNames(c, s, end, out, type, 74);
      c.labelRe.lastIndex = end;
      continue;
    }
    // 社会保障号码, 医保号 … are often the identity number itself: a valid one is typed as such.
    if (type === 'insurance_number' || type === 'record_number' || type === 'passport') {
      const id = /^\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx](?![\dA-Za-z])/.exec(s.slice(p, p + 24));
      if (id && isValidId18(id[0].replace(/[ -]/g, ''))) {
        out.push({ start: p, end: p + id[0].length, type: 'id_card', priority: 90, source: 'label' });
        c.labelRe.lastIndex = p + id[0].length;
        continue;
      }
    }
    let end = type === 'id_card' || type === 'phone' ? readSpacedNumber(s, p, type) : -1;
    if (end > 0) {
      out.push({ start: p, end, type, priority: 90, source: 'label' });
      c.labelRe.lastIndex = end;
      continue;
    }
    if (type === 'address') {
      end = sep > 0 || isHan(s[p]) ? readAddressValue(s, p) : -1;
      const next = end > 0 ? readAddressContinuation(c, s, p, end) : null;
      if (next) out.push({ start: next[0], end: next[1], type, priority: 90, source: 'label' });
    } else if (type === 'hospital') end = sep > 0 ? readHospitalValue(s, p) : -1;
    else {
      const reader = VALUE_READERS[type];
      const mm = reader?.exec(s.slice(p, p + 48));
      if (mm) {
        end = p + mm[0].replace(/[ -]+$/, '').length;
        if (type === 'age' && Number(/^\d+/.exec(mm[0])![0]) <= 89) end = -1;
        if (type === 'record_number' && /床/.test(label)) {
          const bed = /^[加+]?\d+[+]?|^[A-Za-z]?\d+/.exec(s.slice(p, p + 8));
          end = bed ? p + bed[0].length : -1;
        }
      } else if (type === 'record_number' && /床/.test(label)) {
        const bed = /^[加+]?\d+[+]?/.exec(s.slice(p, p + 8));
        end = bed ? p + bed[0].length : -1;
      }
    }
    if (end <= p) continue;
    out.push({ start: p, end, type, priority: 90, source: 'label' });
    c.labelRe.lastIndex = end;
  }
}

function detectPatterns(s: string, out: Candidate[]): void {
  const add = (re: RegExp, type: PhiType, priority: number, accept?: (m: RegExpExecArray) => [number, number] | boolean): void => {
    re.lastIndex = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      const verdict = accept ? accept(m) : true;
      if (verdict === false) continue;
      const [start, end] = verdict === true ? [m.index, m.index + m[0].length] : verdict;
      out.push({ start, end, type, priority, source: 'pattern' });
    }
  };
  add(/(?<![\dA-Za-z])\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx](?![\dA-Za-z])/g, 'id_card', 85, (m) => {
    const digits = m[0].replace(/[ -]/g, '');
    return isValidId18(digits) || looksLikeId18(digits);
  });
  // OCR may put a stray space anywhere inside the number; the checksum vouches for it.
  add(/(?<![\dA-Za-z])\d+ \d+[Xx]?(?![\dA-Za-z])/g, 'id_card', 85, (m) => isValidId18(m[0].replace(' ', '')));
  add(/(?<![\dA-Za-z])\d{15}(?![\dA-Za-z])/g, 'id_card', 84, (m) => looksLikeId15(m[0]) && hasProvinceCode(m[0]));
  add(/(?<![\dA-Za-z])[EG][A-Z]?\d{7,8}(?![\dA-Za-z])/g, 'passport', 70, (m) => m[0].length === 9);
  add(/(?<![\dA-Za-z+])(?:(?:\+|00)?86[ -]?|\(\+?86\)[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)/g, 'phone', 80);
  // Area codes are 0 then 2 to 3 digits, never 00 (an international prefix).
  add(/(?<![\dA-Za-z])(?:\(0[1-9]\d{1,2}\)|0[1-9]\d{1,2})[ -]?[2-9]\d{2,3}[ -]?\d{4}(?: ?(?:转|ext\.?) ?\d{1,5}|-\d{1,5})?(?!\d)/g, 'phone', 79);
  add(/(?<![\dA-Za-z-])[48]00[ -]?\d{3}[ -]?\d{4}(?!\d)/g, 'phone', 60);
  add(/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, 'email', 80);
  add(/(?<![A-Za-z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·• ]?(?=[A-HJ-NP-Z0-9]*\d)[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])/gu, 'license_plate', 70);
  const time = String.raw`(?:[ T]*\d{1,2}(?::\d{2}(?::\d{2})?分?|时(?:\d{1,2}分(?:\d{1,2}秒)?)?))?`;
  add(new RegExp(String.raw`(?<!\d)(?:19|20)\d{2}(?:年\s?\d{1,2}\s?月\s?\d{1,2}(?:\s?[日号]|(?!\d))|(?:-\d{1,2}-\d{1,2}|/\d{1,2}/\d{1,2}|\.\d{1,2}\.\d{1,2})(?!\d))${time}`, 'g'), 'date', 50, (m) => {
    const parts = m[0].match(/\d+/g)!.map(Number);
    return parts[1]! >= 1 && parts[1]! <= 12 && parts[2]! >= 1 && parts[2]! <= 31;
  });
  add(/(?<!\d)(?:19|20)\d{2}年\s?(?:1[0-2]|0?[1-9])\s?月(?![\d余多份])/g, 'date', 49);
  // Certificates write dates in Chinese numerals: 二〇二〇年十一月十七日.
  add(/[一二][〇零○一二三四五六七八九]{3}年(?:十[一二]?|[一二三四五六七八九])月(?:[一二]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])[日号]/g, 'date', 48);
  add(new RegExp(String.raw`(?<![\d.年/-])(?:1[0-2]|0?[1-9])月(?:3[01]|[12]\d|0?[1-9])[日号]${time}`, 'g'), 'date', 48);
  add(/(?<![\d.])(?:9\d|1[0-4]\d)\s*(?:岁|周岁)/g, 'age', 60);
  add(/(?<![\d.])(?:9\d|1[0-4]\d)\s*(?:Y|y|yrs?|years?)(?![A-Za-z])/g, 'age', 55);
  add(/(?<![\d.A-Za-z-])[加+]?\d{1,3}\+?(?=床(?!旁|边|头|位费|上|下))/g, 'record_number', 45);
  // The human-readable line of a Code 39 barcode: the code between asterisks (*2296895665087*).
  add(/(?<![*\w])\*([A-Z0-9-]{6,30})\*(?![*\w])/g, 'record_number', 46, (m) => (m[1]!.replace(/\D/g, '').length >= 5 ? [m.index + 1, m.index + 1 + m[1]!.length] : false));
}

/**
 * True when the segmenter reads the `length` characters at `start` as a word of their own, not part of one
 * (主管医生, 科主任); with `person`, only when it tags them as a person's name (曹/nr, not 钱/n in 多少钱医生).
 */
function standsAlone(s: string, start: number, length: number, end: number, person: boolean): boolean {
  const from = Math.max(0, start - 4);
  let pos = from;
  for (const t of segmenter().tag(s.slice(from, end))) {
    if (pos === start) return person ? t.tag.startsWith('nr') && t.word.length >= length : t.word.length === length || (t.word.length > length && PROPER_TAG.test(t.tag));
    if (pos > start) return false;
    pos += t.word.length;
  }
  return false;
}

/** True when a name label (术者, 患者) or a word that may precede a name (由, 请, …科, …院) ends at `start`. */
function afterNameLead(c: Compiled, s: string, start: number): boolean {
  if (c.leftContext.some((w) => s.slice(start - w.length, start) === w)) return true;
  for (let len = 1; len <= 8 && len <= start; len++) {
    const type = c.labelType.get(s.slice(start - len, start));
    if (type && NAME_TYPES.has(type)) return true;
  }
  return false;
}

/**
 * A surname alone before a title (曹主任, 上官医生, [白医生]). After punctuation or a word that may precede a
 * name, a surname that is also a word must stand alone; after other characters the segmenter must read a
 * person's name, and the surname must not end a longer name (池芝盛教授). Characters that before a title
 * read as words (经主任同意, 向医生咨询, 并任主任) count only after a word that asks for a person (预约于主任).
 */
function bareSurnameBeforeTitle(c: Compiled, s: string, start: number, sl: number, titleEnd: number): boolean {
  if (c.bareSurnameLeft.some((w) => s.slice(start - w.length, start) === w)) return true;
  if (c.titleFunctionWords.has(s.slice(start, start + sl))) return false;
  if (start === 0 || !isHan(s[start - 1]) || afterNameLead(c, s, start)) {
    return sl === 2 || c.res.commonSurnames.has(s[start]!) || standsAlone(s, start, sl, titleEnd, false);
  }
  const nameBefore = (k: number): boolean => start >= k && surnameAt(c, s, start - k, false) > 0 && !isCommonWord(s.slice(start - k, start));
  if (nameBefore(1) || nameBefore(2)) return false;
  return standsAlone(s, start, sl, titleEnd, true);
}

/** Staff named before a title: 张伟主任医师, 李主任, 王护士, 病理科欧阳卫东教授. */
function detectTitled(c: Compiled, s: string, out: Candidate[]): void {
  c.titleRe.lastIndex = 0;
  for (let m = c.titleRe.exec(s); m; m = c.titleRe.exec(s)) {
    const at = m.index;
    const titleEnd = at + m[0].length;
    if (/^[ \t]*[:：]/.test(s.slice(titleEnd, titleEnd + 3))) continue;
    const single = c.singleSurnameTitles.has(m[0]);
    const foreign = /\p{Script=Han}{1,8}[·•・]\p{Script=Han}{1,10}$/u.exec(s.slice(Math.max(0, at - 20), at));
    if (foreign) {
      let start = at - foreign[0].length;
      const lead = c.leftContext.find((w) => s.startsWith(w, start));
      if (lead) start += lead.length;
      out.push({ start, end: at, type: 'staff_name', priority: 65, source: 'context' });
      continue;
    }
    for (const k of [4, 3, 2, 1]) {
      const start = at - k;
      if (start < 0) continue;
      const sl = surnameAt(c, s, start, false);
      if (sl === k) {
        if (single && bareSurnameBeforeTitle(c, s, start, sl, titleEnd)) {
          out.push({ start, end: at, type: 'staff_name', priority: 65, source: 'context' });
          break;
        }
        continue;
      }
      const afterWord = start > 0 && afterNameLead(c, s, start);
      const strictSl = surnameAt(c, s, start, !afterWord);
      if (strictSl === 0 || strictSl >= k || (k - strictSl > 2)) continue;
      let allHan = true;
      for (let i = start + strictSl; i < at; i++) if (!isHan(s[i]) || c.notInNames.has(s[i]!)) allHan = false;
      if (!allHan || !(afterWord || start === 0 || !isHan(s[start - 1]))) continue;
      const name = s.slice(start, at);
      if (isNonName(c, name) || touchesException(c, s, start, at) || isCommonWord(name)) continue;
      out.push({ start, end: at, type: 'staff_name', priority: 65, source: 'context' });
      break;
    }
  }
}

/**
 * A name that closes a bracket right after an institution (会诊意见（北京协和医院李建国）, （心内科王芳）): the
 * bracket names who said it. The surname must be a common one, or the segmenter must read a person's name.
 */
function detectBracketedStaff(c: Compiled, s: string, out: Candidate[]): void {
  c.institutionEndRe.lastIndex = 0;
  for (let m = c.institutionEndRe.exec(s); m; m = c.institutionEndRe.exec(s)) {
    const p = m.index + m[0].length;
    const end = readContextName(c, s, p, false);
    if (end < 0 || s[end] !== ')') continue;
    const open = s.lastIndexOf('(', m.index);
    if (open < 0 || s.slice(open, m.index).includes(')') || s.slice(open, m.index).includes('\n')) continue;
    if (surnameAt(c, s, p, true) === 0 && !hasNameToken(s.slice(p, end))) continue;
    out.push({ start: p, end, type: 'staff_name', priority: 64, source: 'context' });
  }
}

/** `张伟，男，45岁` at the head of a record. */
function detectNameSexAge(c: Compiled, s: string, out: Candidate[]): void {
  const re = /(?<![\p{Script=Han}])([\p{Script=Han}·]{2,8})[,，\s]+(?:男|女)[,，\s]+\d{1,3}\s*岁/gu;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const start = m.index;
    const end = start + m[1]!.length;
    const value = m[1]!;
    if (!FOREIGN_DOT.test(value) && (value.length > 4 || surnameAt(c, s, start, false) === 0)) continue;
    if (isNonName(c, value) || touchesException(c, s, start, end)) continue;
    out.push({ start, end, type: 'patient_name', priority: 70, source: 'context' });
  }
}

/** Street-level addresses opened by a gazetteer place name and closed by a house-number part (号, 室, 村 …). */
function detectAddresses(c: Compiled, s: string, out: Candidate[]): void {
  c.addressStartRe.lastIndex = 0;
  for (let m = c.addressStartRe.exec(s); m; m = c.addressStartRe.exec(s)) {
    const start = m.index;
    let q = start;
    while (q < s.length && q - start < 50 && /[\p{Script=Han}0-9A-Za-z#-]/u.test(s[q]!)) q++;
    const run = s.slice(start, q);
    const stop = c.addressStopRe.exec(run.slice(m[0].length));
    const limit = stop ? m[0].length + stop.index : run.length;
    const body = run.slice(0, limit);
    if (!c.streetPartRe.test(body.slice(m[0].length))) continue;
    let last = -1;
    c.addressTerminalRe.lastIndex = 0;
    for (let t = c.addressTerminalRe.exec(body); t; t = c.addressTerminalRe.exec(body)) {
      if (t.index >= m[0].length) last = t.index + t[0].length;
    }
    if (last < 0) continue;
    const room = /^[0-9A-Za-z-]+室?/.exec(body.slice(last));
    if (room) last += room[0].length;
    out.push({ start, end: start + last, type: 'address', priority: 55, source: 'gazetteer' });
    c.addressStartRe.lastIndex = start + last;
  }
}

/** Hospital nicknames (协和, 湘雅, 浙一) the knowledge graph knows, where a hospital is named (在湘雅就诊, 转至华西). */
function detectHospitalAliases(c: Compiled, s: string, out: Candidate[], hospitalScore: (name: string) => number): void {
  c.aliasContext.lastIndex = 0;
  for (let m = c.aliasContext.exec(s); m; m = c.aliasContext.exec(s)) {
    const name = m[1]!;
    const start = m.index + m[0].length - name.length;
    if (hospitalScore(name) >= 0.9) out.push({ start, end: start + name.length, type: 'hospital', priority: 57, source: 'knowledge-graph' });
  }
}

function detectHospitals(c: Compiled, s: string, out: Candidate[], hospitalScore?: (name: string) => number): void {
  c.hospitalSuffixRe.lastIndex = 0;
  for (let m = c.hospitalSuffixRe.exec(s); m; m = c.hospitalSuffixRe.exec(s)) {
    let end = m.index + m[0].length;
    const branch = /^(?:\([\p{Script=Han}]{2,8}(?:院区|分院)\)|[\p{Script=Han}]{2,6}(?:院区|分院))/u.exec(s.slice(end, end + 12));
    if (branch) end += branch[0].length;
    let start = m.index;
    while (start > 0 && m.index - start < 24 && /\d/.test(s[start - 1]!)) start--;
    while (start > 0 && m.index - start < 24 && isHan(s[start - 1])) start--;
    let best = start;
    for (let i = start; i < m.index; i++) {
      const trigger = c.hospitalTriggers.find((w) => s.startsWith(w, i) && i + w.length <= m!.index);
      if (trigger && !/^\d/.test(s.slice(i + trigger.length))) best = Math.max(best, i + trigger.length);
    }
    while (best < m.index && /\d/.test(s[best]!)) best++;
    const qualifier = s.slice(best, m.index);
    if (qualifier.length < 2 || c.hospitalGeneric.has(qualifier)) continue;
    if ([...c.hospitalGeneric].some((g) => g.length >= 2 && qualifier.startsWith(g) && qualifier.length - g.length < 2)) continue;
    const name = s.slice(best, end);
    const known = (hospitalScore?.(name) ?? 0) >= 0.6;
    out.push({ start: best, end, type: 'hospital', priority: known ? 62 : 58, source: known ? 'knowledge-graph' : 'pattern' });
  }
}

/**
 * Labels the lists do not know (被保险人：…, 经手人：…, 随访对象：…, 麻醉：…): a colon, then exactly a name
 * that ends at a separator, and the names listed after it (麻醉：林丹/魏一鸣). After a person-like label
 * (…人/者/师/员/经理) or a role that names its staff only before a colon (麻醉, 检验) any surname counts;
 * after other labels only a common surname and a two- or three-character name.
 */
function detectGenericNameLabels(c: Compiled, s: string, out: Candidate[]): void {
  const re = /(\p{Script=Han}{1,8})(?:\(\p{Script=Han}{1,4}\))?[ \t]*[:：][ \t]*/gu;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const label = m[1]!;
    const p = m.index + m[0].length;
    const role = c.colonStaffLabels.has(label);
    const personLabel = role || c.personLabelEndRe.test(label);
    const end = readContextName(c, s, p, !personLabel);
    if (end < 0 || rightContextRank(c, s, end) < 3) continue;
    if (!personLabel && (end - p > 3 || isCommonWord(s.slice(p + 1, end)))) continue;
    const type: PhiType = role || c.staffLabelPartRe.test(label) ? 'staff_name' : c.relativeLabelPartRe.test(label) ? 'relative_name' : 'patient_name';
    out.push({ start: p, end, type, priority: 68, source: 'label' });
    readListedNames(c, s, end, out, type, 67);
  }
}

/**
 * Labels the lists do not know that end like an identifier's (体检编号：, 结算编号：, 编号：): a colon, then
 * a code with at least five digits. Labels of lot and model numbers (批号, 型号) are left out.
 */
function detectGenericNumberLabels(c: Compiled, s: string, out: Candidate[]): void {
  c.numberLabelRe.lastIndex = 0;
  for (let m = c.numberLabelRe.exec(s); m; m = c.numberLabelRe.exec(s)) {
    if (c.notIdentifierLabelRe.test(m[1]!)) continue;
    const p = m.index + m[0].length;
    const value = /^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9](?![A-Za-z0-9])/.exec(s.slice(p, p + 40));
    if (!value || value[0].replace(/\D/g, '').length < 5) continue;
    out.push({ start: p, end: p + value[0].length, type: 'record_number', priority: 44, source: 'label' });
  }
}

/**
 * A code in brackets right after a word naming a kind of record number (冰冻病理（24B17259）, 会诊（HZ2024-0815）),
 * where no 号 label is written: at least five digits, and not a date.
 */
function detectBracketedNumbers(c: Compiled, s: string, out: Candidate[]): void {
  c.numberKindRe.lastIndex = 0;
  for (let m = c.numberKindRe.exec(s); m; m = c.numberKindRe.exec(s)) {
    const value = m[1]!;
    if (value.replace(/\D/g, '').length < 5 || VALUE_READERS.date!.exec(value)?.[0].length === value.length) continue;
    const start = m.index + m[0].length - value.length - 1;
    out.push({ start, end: start + value.length, type: 'record_number', priority: 44, source: 'context' });
  }
}

/** Names listed after their bed number (交班报告, 一览表): `12床  张三  肺炎`. */
function detectBedListNames(c: Compiled, s: string, out: Candidate[]): void {
  const re = /(?<![\dA-Za-z.])[加+]?\d{1,3}\+?床(?:[ \t]+|[ \t]*[:：][ \t]*)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const p = m.index + m[0].length;
    const end = readContextName(c, s, p, false);
    if (end < 0 || rightContextRank(c, s, end) < 3) continue;
    out.push({ start: p, end, type: 'patient_name', priority: 66, source: 'context' });
  }
}

const CELL_RULE = /\t|[ \t]*\|[ \t]*|[ ]{2,}/g;

/** The cells of a line split at tabs, table rules or runs of spaces, with their offsets; empty cells are dropped. */
function cellsOf(s: string, from: number, to: number): Array<{ start: number; end: number }> {
  const cells: Array<{ start: number; end: number }> = [];
  const line = s.slice(from, to);
  let last = 0;
  CELL_RULE.lastIndex = 0;
  for (let m = CELL_RULE.exec(line); ; m = CELL_RULE.exec(line)) {
    const end = m ? m.index : line.length;
    if (end > last) cells.push({ start: from + last, end: from + end });
    if (!m) break;
    last = m.index + m[0].length;
  }
  return cells;
}

/** True when a table cell is wholly a value of `type` (a name, a code, a date …). */
function cellHolds(c: Compiled, s: string, type: PhiType, start: number, end: number): boolean {
  const value = s.slice(start, end);
  if (NAME_TYPES.has(type)) {
    const plausible = !touchesException(c, s, start, end) && (surnameAt(c, s, start, true) > 0 || !isCommonWord(value));
    return plausible && readLabeledName(c, s, start) === end;
  }
  if (type === 'date') return VALUE_READERS.date!.exec(value)?.[0].length === value.length;
  if (type === 'address' || type === 'hospital') return value.length >= 4 && /\p{Script=Han}/u.test(value);
  if (type === 'age') return false;
  return /^加?[A-Za-z0-9+()\- ]{1,30}$/.test(value) && /\d/.test(value);
}

/**
 * Tables whose header names the columns (床号  姓名  住院号 … 主刀, tab- or rule-separated): in the rows that follow
 * with as many cells, a cell under a PHI column is a value of that column's type.
 */
function detectTableColumns(c: Compiled, s: string, out: Candidate[]): void {
  const lines: Array<[number, number]> = [];
  for (let from = 0; from <= s.length;) {
    const nl = s.indexOf('\n', from);
    const to = nl < 0 ? s.length : nl;
    lines.push([from, to]);
    from = to + 1;
  }
  for (let i = 0; i < lines.length; i++) {
    const header = cellsOf(s, lines[i]![0], lines[i]![1]);
    if (header.length < 3 || header.some((h) => h.end - h.start > 8)) continue;
    const types = header.map((h) => c.labelType.get(labelKey(s.slice(h.start, h.end))));
    if (types.filter((t) => t !== undefined).length < 2) continue;
    for (let j = i + 1; j < lines.length; j++) {
      const row = cellsOf(s, lines[j]![0], lines[j]![1]);
      if (row.length !== header.length) break;
      row.forEach((cell, k) => {
        const type = types[k];
        if (type && cellHolds(c, s, type, cell.start, cell.end)) out.push({ start: cell.start, end: cell.end, type, priority: 67, source: 'table' });
      });
    }
  }
}

/** Surnames with 某某 anywhere (患者程某某手术指征明确): no word is written so. */
function detectHalfNames(c: Compiled, s: string, out: Candidate[]): void {
  for (let i = s.indexOf('某某'); i >= 0; i = s.indexOf('某某', i + 2)) {
    for (const start of [i - 2, i - 1]) {
      if (start < 0 || readHalfName(c, s, start) !== i + 2 || surnameAt(c, s, start, false) !== i - start) continue;
      out.push({ start, end: i + 2, type: 'patient_name', priority: 47, source: 'context' });
      break;
    }
  }
}

const PROPAGATED_CODES: ReadonlySet<PhiType> = new Set(['record_number', 'insurance_number', 'id_card', 'passport']);

/** Later mentions of a name or a code already found (the patient's name in the narrative, a barcode's number repeated). */
function propagate(c: Compiled, s: string, chosen: Candidate[]): Candidate[] {
  const values = new Map<string, PhiType>();
  for (const span of chosen) {
    const text = s.slice(span.start, span.end);
    const name = NAME_TYPES.has(span.type) && text.length >= 2;
    const code = PROPAGATED_CODES.has(span.type) && text.length >= 6 && text.replace(/\D/g, '').length >= 5;
    if ((name || code) && !values.has(text)) values.set(text, span.type);
  }
  const extra: Candidate[] = [];
  for (const [value, type] of values) {
    const code = PROPAGATED_CODES.has(type);
    for (let i = s.indexOf(value); i >= 0; i = s.indexOf(value, i + value.length)) {
      const end = i + value.length;
      if (code ? /[A-Za-z0-9]/.test(s[i - 1] ?? '') || /[A-Za-z0-9]/.test(s[end] ?? '') : touchesException(c, s, i, end)) continue;
      extra.push({ start: i, end, type, priority: 40, source: 'propagation' });
    }
  }
  return extra;
}

function resolve(candidates: Candidate[], taken: Candidate[] = []): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.priority - a.priority || (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const chosen: Candidate[] = [...taken];
  for (const cand of sorted) {
    if (cand.end <= cand.start) continue;
    if (chosen.some((o) => cand.start < o.end && o.start < cand.end)) continue;
    chosen.push(cand);
  }
  return chosen.sort((a, b) => a.start - b.start);
}

export interface DetectOptions {
  /** Extra person spans (UTF-16 offsets) from the NER model, checked against surnames and exceptions. */
  personSpans?: Array<{ start: number; end: number }>;
  /** How well a name matches a hospital of the knowledge graph, 0..1 (confirms names, finds nicknames). */
  hospitalScore?: (name: string) => number;
}

/** All PHI candidates of `text`, non-overlapping, in UTF-16 offsets of `text`. */
export function detectPhiUtf16(text: string, options: DetectOptions = {}): Candidate[] {
  const c = compile();
  const s = widthNormalize(text);
  const out: Candidate[] = [];
  detectLabeled(c, s, out);
  detectPatterns(s, out);
  detectTitled(c, s, out);
  detectBracketedStaff(c, s, out);
  detectNameSexAge(c, s, out);
  detectGenericNameLabels(c, s, out);
  detectGenericNumberLabels(c, s, out);
  detectBedListNames(c, s, out);
  detectBracketedNumbers(c, s, out);
  detectTableColumns(c, s, out);
  detectHalfNames(c, s, out);
  detectAddresses(c, s, out);
  detectHospitals(c, s, out, options.hospitalScore);
  if (options.hospitalScore) detectHospitalAliases(c, s, out, options.hospitalScore);
  for (const p of options.personSpans ?? []) {
    const name = s.slice(p.start, p.end);
    if (name.length < 2 || name.length > 5 || surnameAt(c, s, p.start, true) === 0) continue;
    if (isNonName(c, name) || touchesException(c, s, p.start, p.end)) continue;
    out.push({ start: p.start, end: p.end, type: 'patient_name', priority: 35, source: 'model' });
  }
  const chosen = resolve(out);
  return resolve(propagate(c, s, chosen), chosen);
}
