import type { MedDocument } from '../document/document.js';
import type { Assertion, Certainty, Section } from '../document/types.js';
import type { EntityType } from '../taxonomy/taxonomy.js';
import { cueLexicon, isDigitChar, type Axis, type Cue, type CueLexicon, type CueMatch } from './cues.js';

/** One sentence prepared for assertion: its cue matches and which characters belong to findings. */
export interface SentenceContext {
  /** Normalized offsets of the sentence. */
  start: number;
  end: number;
  matches: CueMatch[];
  /** 1 where a normalized character (relative to `start`) lies inside a finding; coordination runs across these. */
  covered: Uint8Array;
  /** Whether the sentence asks a question (computed once, for the certainty model). */
  question?: boolean;
  /** 1 where a list item number starts (1.高血压 2.糖尿病): scopes end there like at a full stop. */
  itemStarts: Uint8Array;
  /**
   * Answers of the clause checks, per position (0 unknown, 1 yes, 2 no): every finding of the sentence asks them
   * about the same cues and commas, and a long list (OCR text with spaces for commas) would ask them quadratically often.
   */
  clauseMemo: Uint8Array | null;
  /** Non-zero at a normalized position (of the whole document) that starts a new form field; see `formFieldStarts`. */
  fieldStarts: Uint8Array;
}

const fieldStartsOf = new WeakMap<MedDocument, Uint8Array>();
const FIELD_BARS = new Set(['|', '│', '┃', '║']);
const FIELD_LAYOUT = /\s{2}|[\t\u3000]|[|│┃║]/;
/** Check boxes and ticks (☑咳嗽 □咯血, [√]发热): their answers are read like a form's (× is left out: 2.5×1.8cm). */
const FORM_MARKS = /[☑☒√✓✔■□☐]|\[ ?\]|\( \)/;
const NO_FIELDS = new Uint8Array(0);
const PUNCTUATION = /[，。；：！？、,.;:!?]/;
const SPACE_BETWEEN_CHINESE = /[\u4e00-\u9fff] [\u4e00-\u9fff]/;
const SPACED_FIELD = 1;
const BARRED_CELL = 2;

/**
 * Where a form's fields part, by normalized position: normalization drops the spaces between Chinese characters, so a
 * tab or a run of spaces it removed (发热：否  咳嗽：否) is read from the original text (SPACED_FIELD); a bar stays in
 * the text (BARRED_CELL: in a table row │发热│否│ the answer is the next cell, so a bar stops only a cue before it).
 */
function formFieldStarts(doc: MedDocument): Uint8Array {
  let starts = fieldStartsOf.get(doc);
  if (starts) return starts;
  // Most texts have no form layout: one search answers for them (positions past the end read as no field).
  // Voice-to-text: spaces between Chinese characters and no punctuation at all.
  const spoken = !PUNCTUATION.test(doc.text) && SPACE_BETWEEN_CHINESE.test(doc.text);
  starts = FIELD_LAYOUT.test(doc.text) || spoken || FORM_MARKS.test(doc.text) ? readFieldStarts(doc) : NO_FIELDS;
  fieldStartsOf.set(doc, starts);
  return starts;
}

function readFieldStarts(doc: MedDocument): Uint8Array {
  const to = doc.norm.toOriginal;
  const starts = new Uint8Array(to.length + 1);
  // Voice-to-text writes no punctuation and parts its phrases with single spaces (头晕倒是没有 就是后脑勺发紧): in a
  // text without any punctuation or wider gaps (a form's 咯血 否   盗汗 是 keeps its answers a space away), every
  // space normalization dropped parts the statements.
  const fewest = PUNCTUATION.test(doc.text) || FIELD_LAYOUT.test(doc.text) ? 2 : 1;
  for (let i = 1; i < to.length; i++) {
    const from = to[i - 1]! + 1;
    const dropped = to[i]! - from;
    if (dropped === 0 || (dropped < fewest && doc.chars[from] !== '\t' && doc.chars[from] !== '\u3000')) continue;
    let spaces = 0;
    for (let k = from; k < to[i]!; k++) {
      const ch = doc.chars[k]!;
      // A tab, or the full-width space forms put between fields (哮喘 无, then U+3000, COPD 无), parts fields alone.
      if (ch === '\t' || ch === '\u3000') spaces = 2;
      else if (ch.trim() === '') spaces++;
    }
    if (spaces >= fewest) starts[i] = SPACED_FIELD;
  }
  // A bar (or a table's rule, │发热│否│) parts the fields on both its sides: an answer before it, a field label after it.
  const chars = doc.norm.chars;
  for (let i = 0; i < chars.length; i++) if (FIELD_BARS.has(chars[i]!)) starts[i] = starts[i + 1] = BARRED_CELL;
  // A check box and a space close a field (吸烟☑ 高血脂☑ 肥胖□): no cue reaches across to the next one.
  const lexicon = cueLexicon();
  const boxes = lexicon.fieldReplies.filter((r) => r.box);
  for (let i = 1; i < chars.length; i++) {
    if (chars[i] === ' ') continue;
    const end = chars[i - 1] === ' ' ? i - 1 : i;
    // The cheap test first: most characters follow no box.
    if (!lexicon.boxLasts.has(chars[end - 1]!) || (end === i && !spaceBefore(doc, i))) continue;
    if (boxes.some((b) => wordAt(chars, end - b.chars, b.text))) starts[i] ||= SPACED_FIELD;
  }
  return starts;
}

const isDigit = (ch: string | undefined): boolean => ch !== undefined && isDigitChar(ch);

/** Whether `word` is written in `chars` from `at` on, compared in place (these checks run at every finding). */
function wordAt(chars: readonly string[], at: number, word: string): boolean {
  if (at < 0) return false;
  let k = at;
  for (const ch of word) if (chars[k++] !== ch) return false;
  return true;
}

/** What may stand right before a list number that runs into another number (…待排 2.2型糖尿病, ；3.1个月后复查). */
const ITEM_SEPARATOR = /[\s,，;；。:：、)）]/;

/** A unit or range after a number (2.5cm, 2.5×1.8, 1.5-2.0, 37.5℃): the number measures, it does not count items. */
const MEASURE_AFTER = /[A-Za-z%×*~～\-/℃°.厘毫岁分次]/;

/** Whether the digits from `from` are followed by a unit or range. */
function measured(chars: readonly string[], from: number): boolean {
  let k = from;
  while (isDigit(chars[k])) k++;
  return chars[k] !== undefined && MEASURE_AFTER.test(chars[k]!);
}

/** How far back a list's previous item number is looked for (a numbered diagnosis or order rarely runs longer). */
const ITEM_LOOKBACK = 200;

/** Whether item number `value - 1` (`1.` before `2.`) starts an item within ITEM_LOOKBACK characters before `at`. */
function previousItemBefore(chars: readonly string[], at: number, value: number): boolean {
  const digits = String(value - 1);
  for (let i = at - 1; i >= Math.max(0, at - ITEM_LOOKBACK); i--) {
    if (chars[i] !== '.' && chars[i] !== '、') continue;
    const from = i - digits.length;
    if (from < 0 || isDigit(chars[i + 1]) || isDigit(chars[from - 1]) || chars.slice(from, i).join('') !== digits) continue;
    if (from === 0 || ITEM_SEPARATOR.test(chars[from - 1]!)) return true;
  }
  return false;
}

/**
 * Starts of enumerators such as `2.` `3、` `(4)` inside [start, end); a decimal point (2.5cm) is not one. A number
 * before a point and a digit is an item only where it follows a separator and continues a numbering begun before it
 * (1.腹痛待查 … 2.2型糖尿病; …；3.1个月后复查), since diagnoses and plans often begin with a number.
 */
function listItemStarts(chars: readonly string[], start: number, end: number): Uint8Array {
  const marks = new Uint8Array(end - start);
  for (let i = start; i < end; i++) {
    if (!isDigit(chars[i]) || isDigit(chars[i - 1])) continue;
    let j = i;
    while (j < end && isDigit(chars[j])) j++;
    const after = chars[j];
    const before = chars[i - 1];
    const continues = after === '.' && isDigit(chars[j + 1]) && (before === undefined || ITEM_SEPARATOR.test(before))
      && !measured(chars, j + 1) && previousItemBefore(chars, i, Number(chars.slice(i, j).join('')));
    const enumerates = (after === '.' && !isDigit(chars[j + 1])) || after === '、' || after === ')' || after === '）' || continues;
    const opens = before === undefined || before === ' ' || before === '(' || before === '（' || !/[A-Za-z0-9.%/第约]/.test(before);
    if (enumerates && opens && j - i <= 2) marks[i - start] = 1;
  }
  return marks;
}

const OPENING = new Set(['(', '（']);
const CLOSING = new Set([')', '）']);
const CLAUSE_BREAKS = new Set([',', '，', ':', '：']);
const HARD_BREAKS = new Set(['。', ';', '；', '!', '！', '?', '？', '\n']);
/** What may sit between coordinated findings without ending a cue's scope (无发热、咳嗽及咳痰等不适). */
const LIST_FILLER = /[、及和或与等均\s]|以及|不适|症状|表现|病史|史|情况|体征|改变/g;

export function sentenceContext(doc: MedDocument, start: number, end: number, findings: Array<{ start: number; end: number }>): SentenceContext {
  const covered = new Uint8Array(end - start);
  for (const f of findings) {
    for (let i = Math.max(f.start, start); i < Math.min(f.end, end); i++) covered[i - start] = 1;
  }
  const boundaries = new Uint8Array(end - start + 1);
  for (const f of findings) {
    if (f.start >= start && f.start <= end) boundaries[f.start - start] = 1;
    if (f.end >= start && f.end <= end) boundaries[f.end - start] = 1;
  }
  const chars = doc.norm.chars;
  return {
    start, end, matches: cueLexicon().scan(chars, start, end, boundaries), covered, itemStarts: listItemStarts(chars, start, end), clauseMemo: null,
    fieldStarts: formFieldStarts(doc),
  };
}

/** Who a clause is about, when it opens with that before its cue (患者无发热，…). */
const CLAUSE_SUBJECT = /^(?:患者|患儿|病人|本人|自诉|诉|伴|平素|病程中|现|目前|近期|另)/;

/**
 * Whether the cue opens its clause. Only then does its scope run on over commas into a list of
 * findings (无发热，咳嗽，咳痰); after a topic (双侧海马未见萎缩，脑萎缩) the next clause is a new statement.
 */
function opensClause(chars: readonly string[], ctx: SentenceContext, cueStart: number): boolean {
  const memo = (ctx.clauseMemo ??= new Uint8Array(3 * (ctx.end - ctx.start + 1)));
  const at = cueStart - ctx.start;
  if (memo[at] === 0) memo[at] = readOpensClause(chars, ctx, cueStart) ? 1 : 2;
  return memo[at] === 1;
}

function readOpensClause(chars: readonly string[], ctx: SentenceContext, cueStart: number): boolean {
  let clauseStart = cueStart;
  while (clauseStart > ctx.start && !CLAUSE_BREAKS.has(chars[clauseStart - 1]!) && !HARD_BREAKS.has(chars[clauseStart - 1]!)) clauseStart--;
  let prefix = '';
  for (let i = clauseStart; i < cueStart; i++) if (!ctx.covered[i - ctx.start]) prefix += chars[i]!;
  return prefix.replace(CLAUSE_SUBJECT, '').replace(LIST_FILLER, '').trim().length === 0;
}

/**
 * True when the clause starting at `from` holds only findings and list words, so a cue's scope runs on into it.
 * With `toSentenceEnd`, every later clause of the sentence must be one too (无发热，咳嗽，咳痰。): a run that goes on
 * into a statement (无呕吐腹泻，纳差，二便可) is a series of observations, each asserted on its own.
 */
function isListClause(chars: readonly string[], ctx: SentenceContext, from: number, toSentenceEnd: boolean): boolean {
  const memo = (ctx.clauseMemo ??= new Uint8Array(3 * (ctx.end - ctx.start + 1)));
  const at = (toSentenceEnd ? 1 : 2) * (ctx.end - ctx.start + 1) + from - ctx.start;
  if (memo[at] === 0) memo[at] = readListClause(chars, ctx, from, toSentenceEnd) ? 1 : 2;
  return memo[at] === 1;
}

function readListClause(chars: readonly string[], ctx: SentenceContext, from: number, toSentenceEnd: boolean): boolean {
  let residue = '';
  for (let i = from; i < ctx.end; i++) {
    const ch = chars[i]!;
    if (HARD_BREAKS.has(ch) || ctx.itemStarts[i - ctx.start]) break;
    if (CLAUSE_BREAKS.has(ch)) {
      if (!toSentenceEnd || residue.replace(LIST_FILLER, '').length > 0) break;
      residue = '';
    } else if (!ctx.covered[i - ctx.start]) residue += ch;
    else if (!ctx.covered[i + 1 - ctx.start] && statesChange(chars, i + 1)) residue += '.';
  }
  return residue.replace(LIST_FILLER, '').length === 0;
}

/**
 * Whether the finding ending at `end` says what changed (脑白质脱髓鞘改变, 情感淡漠, 左房增大): a clause of such a
 * finding is a statement of its own, as 未见出血转化，脑白质脱髓鞘改变 reports the second, not a list the denial runs on into.
 */
function statesChange(chars: readonly string[], end: number): boolean {
  const endings = cueLexicon().statementEndings;
  return endings.some((w) => chars[end - 1] === w[w.length - 1] && wordAt(chars, end - w.length, w));
}

/**
 * Whether nothing but spaces, closing brackets, a bracketed remark (脑转移除外（头颅MRI阴性）) and the cue's own
 * object (未见明确征象) follows `from` in its clause.
 */
function endsClause(chars: readonly string[], ctx: SentenceContext, from: number): boolean {
  let depth = 0;
  let start = from;
  for (const word of cueLexicon().closingObjects) {
    if (wordAt(chars, from, word)) { start = from + word.length; break; }
  }
  for (let i = start; i < ctx.end; i++) {
    const ch = chars[i]!;
    if (OPENING.has(ch)) depth++;
    else if (CLOSING.has(ch)) depth = Math.max(0, depth - 1);
    else if (depth > 0) continue;
    else if (CLAUSE_BREAKS.has(ch) || HARD_BREAKS.has(ch) || ctx.itemStarts[i - ctx.start] || ctx.fieldStarts[i]) return true;
    else if (ch.trim() !== '' && !TICKS.has(ch)) return false;
  }
  return true;
}

/** Marks that confirm a form's answer (无 ☑): they close a field like a space. */
const TICKS = new Set(['☑', '√', '✓', '✔', '■', '☒']);

interface Candidate { cue: Cue; match: CueMatch; distance: number }

/** Whether `at` lies inside a bracket opened at or after `from`. */
function insideBracket(chars: readonly string[], from: number, at: number): boolean {
  let depth = 0;
  for (let i = from; i < at; i++) {
    if (OPENING.has(chars[i]!)) depth++;
    else if (CLOSING.has(chars[i]!)) depth = Math.max(0, depth - 1);
  }
  return depth > 0;
}

/**
 * Whether a certainty cue written inside a bracketed remark is kept from a finding outside it: 结节（转移？）
 * hedges the metastasis, not the nodule (a bracketed date, 余（2015年9月）前…, still dates what follows). A bracket
 * holding only the cue (HBsAg(阴性), 结石(?)) speaks of what precedes it. `from`–`to` are the characters between
 * finding and cue; `post` says the cue follows the finding.
 */
function bracketedAway(chars: readonly string[], from: number, to: number, post: boolean): boolean {
  let depth = 0;
  if (post) {
    for (let i = to - 1; i >= from; i--) {
      const ch = chars[i]!;
      if (CLOSING.has(ch)) depth++;
      else if (OPENING.has(ch) && depth-- === 0) return chars.slice(i + 1, to).join('').trim().length > 0;
    }
    return false;
  }
  for (let i = from; i < to; i++) {
    const ch = chars[i]!;
    if (OPENING.has(ch)) depth++;
    else if (CLOSING.has(ch) && depth-- === 0) return true;
  }
  return false;
}

/** Characters between a and b that are not part of a finding (lists of findings do not use up a cue's scope). */
function gap(ctx: SentenceContext, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) if (!ctx.covered[i - ctx.start]) n++;
  return n;
}

/** `gap` without bracketed remarks' characters: a finding's qualifier (溃疡性结肠炎（初发型，左半结肠）可能性大) uses up no scope. */
function gapOutsideBrackets(chars: readonly string[], ctx: SentenceContext, a: number, b: number): number {
  let n = 0;
  let depth = 0;
  for (let i = a; i < b; i++) {
    const ch = chars[i]!;
    if (OPENING.has(ch)) depth++;
    else if (CLOSING.has(ch) && depth > 0) depth--;
    else if (depth === 0 && !ctx.covered[i - ctx.start]) n++;
  }
  return n;
}

/**
 * Whether the clause starting at `from` is a new statement rather than more about the topic: it opens with
 * another subject or advice (患者本人无喘息, 建议行肠镜) or with a finding (父亲患高血压，肺癌待排).
 */
function endsTopic(chars: readonly string[], ctx: SentenceContext, from: number, to: number): boolean {
  if (ctx.covered[from - ctx.start]) return true;
  const opening = chars.slice(from, Math.min(to, from + 4)).join('');
  return cueLexicon().topicEnds.some((w) => opening.startsWith(w));
}

/** Whether a field starting at `i` ends the cue's reach: any field does; a table's cell only for a cue before the finding. */
function partsFields(ctx: SentenceContext, i: number, cue: Cue): boolean {
  const part = ctx.fieldStarts[i];
  return part === SPACED_FIELD || (part === BARRED_CELL && cue.direction === 'pre');
}

function blocked(chars: readonly string[], ctx: SentenceContext, from: number, to: number, cue: Cue, crossClauses: boolean, topic = false): boolean {
  const axis = cue.axis;
  let bracket = false;
  let depth = 0;
  for (let i = from; i < to; i++) {
    const ch = chars[i]!;
    if (OPENING.has(ch)) { bracket = true; depth++; }
    else if (CLOSING.has(ch)) depth = Math.max(0, depth - 1);
    if (HARD_BREAKS.has(ch) || ctx.itemStarts[i - ctx.start] || partsFields(ctx, i, cue)) return true;
    // A comma inside a bracketed remark (溃疡性结肠炎（初发型，左半结肠）可能性大) parts no clauses of the sentence.
    if (depth > 0) continue;
    // After a colon (拟诊：) or about a relative (其母亲患…，双手畸形) the next clause alone decides.
    const toSentenceEnd = ch !== ':' && !topic;
    if (CLAUSE_BREAKS.has(ch) && !(topic && !endsTopic(chars, ctx, i + 1, to)) && (!crossClauses || !isListClause(chars, ctx, i + 1, toSentenceEnd))) return true;
  }
  // A field that opens right at the far end belongs to the next question (胸痛：无	乏力：有).
  if (partsFields(ctx, to, cue)) return true;
  // A diagnosis hedged as a whole (考虑肺癌伴骨转移); a describing doubt word (可疑结节伴钙化) leaves what accompanies seen.
  const hedgedBefore = cue.value === 'possible' && cue.direction === 'pre' && !cue.yieldsToNegation;
  for (const m of ctx.matches) {
    if (m.start < from || m.end > to) continue;
    // A cue inside a bracketed remark between them speaks of the remark only.
    if (bracket && insideBracket(chars, from, m.start)) continue;
    if (m.terminates === 'all') return true;
    if (axis === 'certainty' && (m.terminates === 'certainty' || (m.terminates === 'accompaniment' && !hedgedBefore))) return true;
    // A describing doubt word (可疑钙化) does not end a negation's reach: 未见肿块及可疑钙化 is negative.
    if (m.cues.some((c) => c.axis === axis && !c.types) && !m.cues.some((c) => c.yieldsToNegation)) return true;
  }
  return false;
}

/**
 * Whether the finding at `start` lies in the clause right after a condition (若结节增大，建议行细针穿刺; 如出现呕吐，
 * 警惕脱水): what a condition leads to is as hypothetical as the condition.
 */
function inConsequence(chars: readonly string[], ctx: SentenceContext, match: CueMatch, start: number, scope: number): boolean {
  const openers = cueLexicon().conditionOpeners;
  if (!openers.cues.has(match.text) || gap(ctx, match.end, start) > scope) return false;
  let clauses = 0;
  let condition = '';
  for (let i = match.end; i < start; i++) {
    const ch = chars[i]!;
    if (HARD_BREAKS.has(ch) || ctx.itemStarts[i - ctx.start]) return false;
    if (CLAUSE_BREAKS.has(ch) && ++clauses > 1) return false;
    if (clauses === 0) condition += ch;
  }
  if (openers.consequences.some((w) => condition.includes(w))) return false;
  for (const m of ctx.matches) {
    if (m.start >= match.end && m.end <= start && (m.terminates === 'all' || m.cues.some((c) => c.axis === 'conditional'))) return false;
  }
  return clauses === 1;
}

/**
 * Whether an ambiguous opener (如) opens a condition: only with a consequence or a confirming word later in its
 * sentence (如胸痛加重及时就诊; not 需排除继发性因素如狼疮性肾炎, 四肢活动自如).
 */
function opensCondition(chars: readonly string[], ctx: SentenceContext, match: CueMatch): boolean {
  const openers = cueLexicon().conditionOpeners;
  if (!openers.ambiguous.has(match.text)) return true;
  const rest = chars.slice(match.end, ctx.end).join('');
  return openers.consequences.some((w) => rest.includes(w)) || openers.confirming.some((w) => rest.includes(w));
}

/**
 * Whether a reaching-back post-cue at `cueStart` (请结合临床, 建议进一步检查) takes the finding [start, end):
 * the last finding before it, in its clause or one comma back, and a diagnosis rather than something the
 * image shows (右肺结节，建议进一步检查 leaves the nodule seen).
 */
function reachesBack(chars: readonly string[], ctx: SentenceContext, start: number, end: number, cueStart: number, axis: Axis): boolean {
  let commas = 0;
  // The finding with the rest of its clause (肠梗阻征象): an observation may end either.
  let described = chars.slice(start, end).join('');
  for (let i = end; i < cueStart; i++) {
    const ch = chars[i]!;
    if (ctx.covered[i - ctx.start] || HARD_BREAKS.has(ch) || ctx.itemStarts[i - ctx.start]) return false;
    if (CLAUSE_BREAKS.has(ch)) commas++;
    else if (commas === 0) described += ch;
  }
  if (commas > 1) return false;
  for (const m of ctx.matches) {
    if (m.start < end || m.end > cueStart) continue;
    if (m.terminates !== null || m.cues.some((c) => c.axis === axis)) return false;
  }
  const text = chars.slice(start, end).join('');
  return !cueLexicon().observations.some((o) => text.endsWith(o) || described.endsWith(o));
}

/**
 * Tests and exams take only result cues on certainty (CT未见异常 says nothing against the CT); a cue written for
 * the type itself applies (否认服用 to a drug).
 */
function applies(cue: Cue, type: EntityType | null): boolean {
  if (cue.types) return type !== null && cue.types.has(type);
  if (type === null || cue.axis !== 'certainty' || cueLexicon().fullTypes.has(type)) return true;
  return cue.result;
}

/** The deciding cue on each axis (a plain record: built for every finding, it costs less than a Map). */
type Hits = Partial<Record<Axis, Candidate>>;

/** On each axis, the nearest cue whose scope reaches the finding [start, end). */
function bestCues(doc: MedDocument, ctx: SentenceContext, start: number, end: number, type: EntityType | null): Hits {
  const chars = doc.norm.chars;
  const best: Hits = {};
  let negation: Candidate | undefined;
  for (const m of ctx.matches) {
    if (m.cues.length === 0) continue;
    const inside = m.start >= start && m.end <= end;
    // A cue within another finding's words is that finding's (左室壁运动未见异常 says nothing about what precedes it).
    if (!inside && ctx.covered[m.start - ctx.start]) continue;
    if (!inside && m.end > start && m.start < end) continue;
    for (const cue of m.cues) {
      if (!applies(cue, type)) continue;
      if (cue.axis === 'conditional' && !opensCondition(chars, ctx, m)) continue;
      // A relative who tells the history (患者老伴诉其…, 据其母亲代诉，…) is its source, not its subject.
      if (cue.axis === 'subject' && cue.direction === 'pre' && reports(chars, m.end)) continue;
      const axis = cue.axis;
      let distance: number;
      if (inside) {
        // Recognition often takes the cue into the span (纵隔内未见肿大, 不发烧, 高血压病史): a pre-cue
        // counts when words follow it, a post-cue when it closes the span. Pseudo-cues (心律不齐) never match.
        if (cue.outside || (cue.direction === 'pre' ? m.end >= end : m.end !== end || m.start === start)) continue;
        distance = 0;
      } else if (cue.direction === 'pre' && m.end <= start && inConsequence(chars, ctx, m, start, cue.scope)) {
        distance = gap(ctx, m.end, start);
      } else if (cue.direction === 'pre' && m.end <= start) {
        distance = gap(ctx, m.end, start);
        if (distance > cue.scope) continue;
        if (!cue.sentence && blocked(chars, ctx, m.end, start, cue, cue.clauses && opensClause(chars, ctx, m.start), cue.topic)) continue;
        if (axis === 'certainty' && bracketedAway(chars, m.end, start, false)) continue;
      } else if (cue.direction === 'post' && m.start >= end) {
        distance = gap(ctx, end, m.start);
        // A bracketed qualifier keeps a finding's certainty in reach (…（初发型）可能性大), not a later time (…（IVA期）靶向治疗后).
        if (distance > cue.scope && axis === 'certainty' && OPENING.has(chars[end]!)) distance = gapOutsideBrackets(chars, ctx, end, m.start);
        // The cheap test first: whether a closing cue closes its clause does not depend on the finding.
        if (distance > cue.scope || (cue.closing && !endsClause(chars, ctx, m.end))) continue;
        if (cue.reachesBack ? !reachesBack(chars, ctx, start, end, m.start, axis) : blocked(chars, ctx, end, m.start, cue, false)) continue;
        if (axis === 'certainty' && bracketedAway(chars, end, m.start, true)) continue;
      } else {
        continue;
      }
      const current = best[axis];
      if (!current || distance < current.distance || (distance === current.distance && cue.confidence > current.cue.confidence)) {
        best[axis] = { cue, match: m, distance };
      }
      if (axis === 'certainty' && cue.value === 'negative' && cue.direction === 'pre' && (!negation || distance < negation.distance)) {
        negation = { cue, match: m, distance };
      }
    }
  }
  const doubt = best.certainty;
  if (doubt?.cue.yieldsToNegation && doubt.cue.direction === 'pre' && negation && negation.match.end <= doubt.match.start) {
    best.certainty = negation;
  }
  return best;
}

/** Whether a reporting verb (诉, 代诉, 反映) follows at `at`: the person named before it tells the history. */
function reports(chars: readonly string[], at: number): boolean {
  return cueLexicon().reporterVerbs.some((w) => wordAt(chars, at, w));
}

/** What may stand between findings that head one item together (胸闷/胸痛：无) or before them (2.肺栓塞：). */
const HEADING_FILLER = /[\s、/及和与\d.()（）①②③④⑤⑥⑦⑧⑨⑩]/;

/**
 * The conclusion on a finding that heads its own item after a colon or dash (2.肺栓塞：…，D-二聚体正常，可排除。
 * 胸闷/胸痛：无; 急性胃肠炎——…，暂不考虑): the item's last clause that names no finding and ends in a verdict
 * (可排除, 暂不考虑, 不能完全除外, 需警惕, 无) decides, as a differential's reasoning ends in its conclusion. Seeing verbs (CT未见异常) and test results
 * (肌钙蛋白阴性) speak of their own object, unless they are the whole clause (幽门螺杆菌：阴性; ST段改变：未见).
 */
function headedVerdict(chars: readonly string[], ctx: SentenceContext, start: number, end: number, type: EntityType | null): Candidate | null {
  let colon = end;
  while (colon < ctx.end && (ctx.covered[colon - ctx.start] || HEADING_FILLER.test(chars[colon]!))) colon++;
  // A dash (——, folded to --) heads an item too; a hyphen before a letter or digit joins a name or range.
  const dash = chars[colon] === '-' && !/[0-9A-Za-z]/.test(chars[colon + 1] ?? '0');
  if (chars[colon] !== ':' && !dash) return null;
  // The finding heads its item: before it, back to the item's start, only label words without a certainty cue
  // (【入院护理评估】发热：否, 既往COPD：否, 近1周进食减少：否).
  let itemStart = start;
  while (itemStart > ctx.start) {
    const ch = chars[itemStart - 1]!;
    if (CLAUSE_BREAKS.has(ch) || HARD_BREAKS.has(ch) || ctx.fieldStarts[itemStart] || ctx.itemStarts[itemStart - ctx.start]) break;
    itemStart--;
  }
  if (ctx.matches.some((m) => m.start >= itemStart && m.end <= start && (m.terminates !== null || m.cues.some((c) => c.axis === 'certainty')))) return null;
  let verdict: Candidate | null = null;
  let clauseStart = colon + 1;
  for (let i = colon + 1; i <= ctx.end; i++) {
    const ch = chars[i];
    const last = i === ctx.end || HARD_BREAKS.has(ch!) || ctx.itemStarts[i - ctx.start] === 1 || Boolean(ctx.fieldStarts[i]);
    if (!last && !CLAUSE_BREAKS.has(ch!)) continue;
    verdict = clauseVerdict(chars, ctx, clauseStart, i, type) ?? verdict;
    if (last) break;
    clauseStart = i + 1;
  }
  return verdict;
}

type FieldReply = CueLexicon['fieldReplies'][number] & { start: number; end: number };

/** The form reply written at normalized position `at`, if any. */
function replyAt(chars: readonly string[], at: number, to: number): FieldReply | null {
  const lexicon = cueLexicon();
  if (at >= to || !lexicon.fieldReplyFirsts.has(chars[at]!)) return null;
  for (const reply of lexicon.fieldReplies) {
    if (at + reply.chars <= to && wordAt(chars, at, reply.text)) return { ...reply, start: at, end: at + reply.chars };
  }
  return null;
}

/** Whether a space stood right before normalized position `at` (normalization drops those between Chinese characters). */
function spaceBefore(doc: MedDocument, at: number): boolean {
  if (doc.norm.chars[at - 1] === ' ') return true;
  const original = doc.norm.toOriginal[at]!;
  return at > 0 && original > doc.norm.toOriginal[at - 1]! + 1 && doc.chars[original - 1]!.trim() === '';
}

/** Whether a space or a field's start stands right before `at`. */
function spacedBefore(doc: MedDocument, ctx: SentenceContext, at: number): boolean {
  return Boolean(ctx.fieldStarts[at]) || spaceBefore(doc, at);
}

/** Whether a field's reply ends at `at` (before `to`): at a break, a bracketed remark (有（3月前）), a space or the next field. */
function replyEnds(doc: MedDocument, ctx: SentenceContext, at: number, to = ctx.end): boolean {
  const ch = doc.norm.chars[at];
  return at >= to || ch === undefined || ch === ' ' || ch === '/' || CLAUSE_BREAKS.has(ch) || HARD_BREAKS.has(ch) || OPENING.has(ch)
    || FIELD_BARS.has(ch) || spacedBefore(doc, ctx, at);
}

/** A finding that shares its field with none (no slash group). */
const LONE_FIELD = { index: 0, size: 1, end: 0 };

/** Where the finding's slash group (发热/寒战：否/否) begins and ends, and the finding's place in it. */
function slashGroup(chars: readonly string[], ctx: SentenceContext, start: number, end: number): { index: number; size: number; end: number } {
  let index = 0;
  for (let i = start; chars[i - 1] === '/' && ctx.covered[i - 2 - ctx.start]; index++) {
    i -= 2;
    while (i > ctx.start && ctx.covered[i - 1 - ctx.start]) i--;
  }
  let size = index + 1;
  let last = end;
  while (chars[last] === '/' && ctx.covered[last + 1 - ctx.start]) {
    last += 2;
    while (last < ctx.end && ctx.covered[last - ctx.start]) last++;
    size++;
  }
  return { index, size, end: last };
}

/**
 * A form's reply to the field a finding names: an answer or mark a space, a colon or a table's bar after it
 * (义齿 无  贵重物品 无; 尿频 N; 视力障碍 ×; 肥胖□), the option ticked after it (吞咽困难 无 ☑ 有 □), the finding's own
 * place in paired answers (发热/寒战：否/否), or, in a text with a form layout, a check box touching it before
 * ([√]咳痰 [ ]咯血). A box between two findings marks the one it touches.
 */
function fieldReply(doc: MedDocument, ctx: SentenceContext, start: number, end: number): FieldReply | null {
  const chars = doc.norm.chars;
  // Most findings are followed by none of what opens a reply, a label or a paired answer, and touch no box.
  const lexicon = cueLexicon();
  if (!lexicon.replyOpeners.has(chars[end] ?? '') && !spaceBefore(doc, end) && !FIELD_BARS.has(chars[end] ?? '')
    && !(ctx.fieldStarts.length > 0 && lexicon.boxLasts.has(chars[start - 1] ?? ''))) return null;
  const group = chars[end] === '/' || chars[start - 1] === '/' ? slashGroup(chars, ctx, start, end) : LONE_FIELD;
  let i = labelEnd(chars, ctx, group.size > 1 ? group.end : end);
  while (i < ctx.end && chars[i] === ' ') i++;
  // A table's cell (│发热│否│) answers like a colon.
  const colon = chars[i] === ':' || FIELD_BARS.has(chars[i]!);
  if (colon) i++;
  while (i < ctx.end && chars[i] === ' ') i++;
  // Without a form layout, a reply a space away still answers (高血压 否 糖尿病 否); nothing else is read there.
  if (!colon && ctx.fieldStarts.length === 0 && !(lexicon.fieldReplyFirsts.has(chars[i]!) && spaceBefore(doc, i))) return null;
  // Most findings have no reply after them: only a box touching them may still answer.
  if (!replyAt(chars, i, ctx.end)) return ctx.fieldStarts.length > 0 ? boxBefore(doc, ctx, start) : null;
  const replies = readReplies(doc, ctx, i, colon, group.size > 1);
  if (group.size > 1 && replies.length === group.size) return replies[group.index]!;
  const option = tickedOption(replies);
  if (option !== undefined) return option;
  const after = replies.length === 1 && (replies[0]!.box || replyEnds(doc, ctx, replies[0]!.end)) ? replies[0]! : null;
  const before = ctx.fieldStarts.length > 0 ? boxBefore(doc, ctx, start) : null;
  // Boxes on both sides: the one touching the finding is its own (吸烟☑ 高血脂☑; [√]咳嗽 [√]咳痰).
  if (after?.box && before) return after.start === end ? null : before;
  return after ?? before;
}

/**
 * The replies written from `i` on, up to six: answer words that stand apart from what precedes them (腹痛无 is no
 * form's answer) and end their field, and boxes, which may touch their option (高血脂☑). `slashes` lets a paired
 * answer's slashes (否/否) part them.
 */
function readReplies(doc: MedDocument, ctx: SentenceContext, from: number, colon: boolean, slashes: boolean, to = ctx.end): FieldReply[] {
  const chars = doc.norm.chars;
  const replies: FieldReply[] = [];
  let i = from;
  for (let r = replyAt(chars, i, to); r && replies.length < 6; r = replyAt(chars, i, to)) {
    if (!r.box && !colon && !spacedBefore(doc, ctx, i) && !(replies.at(-1)?.box ?? false)) break;
    if (!r.box && !replyEnds(doc, ctx, r.end, to) && !(replyAt(chars, r.end, to)?.box ?? false)) break;
    replies.push(r);
    i = r.end;
    while (i < to && (chars[i] === ' ' || (chars[i] === '/' && slashes))) i++;
  }
  return replies;
}

/**
 * The ticked one of options written with their boxes (无 ☑ 有 □, or ☑无 □有): null when none or several are ticked,
 * undefined when the replies are not such a list.
 */
function tickedOption(replies: readonly FieldReply[]): FieldReply | null | undefined {
  const boxes = replies.filter((r) => r.box).length;
  if (boxes === 0 || boxes === replies.length) return undefined;
  const boxOf = (k: number): FieldReply | undefined => replies[replies[0]!.box ? k - 1 : k + 1];
  const ticked = replies.filter((r, k) => !r.box && boxOf(k)?.box === true && boxOf(k)!.value === 'positive');
  return ticked.length === 1 ? ticked[0]! : null;
}

/** The longest bracketed remark read as part of a field's label (幽门螺杆菌(HP)：阴性). */
const LABEL_BRACKET = 12;

/**
 * Where the label of a finding's field ends: past an abbreviation in brackets (幽门螺杆菌(HP)：) and a history word
 * (恶性高热家族史：无, 深静脉血栓病史□), which tell the field's subject or time but leave its answer to the finding.
 */
function labelEnd(chars: readonly string[], ctx: SentenceContext, end: number): number {
  let i = end;
  if (OPENING.has(chars[i] ?? '')) {
    let close = i + 1;
    while (close < ctx.end && close - i <= LABEL_BRACKET && !CLOSING.has(chars[close]!) && !CLAUSE_BREAKS.has(chars[close]!)) close++;
    if (CLOSING.has(chars[close] ?? '')) i = close + 1;
  }
  const label = cueLexicon().formAnswers.labels.find((w) => wordAt(chars, i, w));
  return label ? i + label.length : i;
}

/** A check box that opens the finding's item ([√]咳痰): it touches the finding, and a space or a break stands before it. */
function boxBefore(doc: MedDocument, ctx: SentenceContext, start: number): FieldReply | null {
  const chars = doc.norm.chars;
  const lexicon = cueLexicon();
  if (start <= ctx.start || !lexicon.boxLasts.has(chars[start - 1]!) || spacedBefore(doc, ctx, start)) return null;
  for (const reply of lexicon.fieldReplies) {
    const from = start - reply.chars;
    if (!reply.box || from < ctx.start || !wordAt(chars, from, reply.text)) continue;
    const opens = from === ctx.start || chars[from - 1] === ' ' || spacedBefore(doc, ctx, from) || CLAUSE_BREAKS.has(chars[from - 1]!)
      || HARD_BREAKS.has(chars[from - 1]!) || chars[from - 1] === '?';
    return opens ? { ...reply, start: from, end: start } : null;
  }
  return null;
}

/** Whether the doubt on a finding is a form's question: its cue is the question word, or the ? after a listed finding that one opens (有无发热、咳嗽？). */
function askedAbout(chars: readonly string[], ctx: SentenceContext, start: number, match: CueMatch): boolean {
  const questions = cueLexicon().formAnswers.questions;
  if (questions.has(match.text)) return true;
  if (match.text !== '?' || match.start < start) return false;
  let prefix = '';
  for (let i = start - 1; i >= ctx.start && !CLAUSE_BREAKS.has(chars[i]!) && !HARD_BREAKS.has(chars[i]!); i--) prefix = chars[i]! + prefix;
  return [...questions].some((q) => prefix.includes(q));
}

/**
 * The answer written after a form's question about the finding at `end` (有无发热？没有; 有无腹痛：有，右下腹; 体温？
 * 37.8; 询问有无咳嗽、气促，答无): past other listed findings and fillers to a ? or : (or a comma before a lead word
 * such as 答), then the answer's first words, which may open the next sentence (the ? ends the question's).
 */
function formAnswer(doc: MedDocument, ctx: SentenceContext, end: number): { value: Certainty; start: number; end: number; text: string } | null {
  const chars = doc.norm.chars;
  let i = end;
  while (i < ctx.end && (ctx.covered[i - ctx.start] || HEADING_FILLER.test(chars[i]!))) i++;
  const separator = chars[i];
  if (separator !== '?' && separator !== ':' && separator !== ',') return null;
  i++;
  while (i < chars.length && chars[i]!.trim() === '') i++;
  const { negative, positive, possible, leads } = cueLexicon().formAnswers;
  // A reported answer (询问有无咳嗽，答无): after a comma only a lead word says the next words answer the question.
  const lead = leads.find((w) => wordAt(chars, i, w));
  if (lead) i += lead.length;
  else if (separator === ',') return null;
  while (i < chars.length && (chars[i]!.trim() === '' || chars[i] === ':' || chars[i] === '"')) i++;
  // Options with their boxes (是□ 否☑), which may open the next sentence too: the ticked one answers.
  const option = tickedOption(readReplies(doc, ctx, i, true, false, doc.sentences[doc.sentenceIndexAt(i)]?.normEnd ?? ctx.end));
  if (option) return option;
  const opening = chars.slice(i, i + 4).join('');
  const said = (words: readonly string[]): string | undefined => words.find((w) => opening.startsWith(w));
  // An open answer first: 不详 begins like the bare 不.
  const open = said(possible);
  if (open) return { value: 'possible', start: i, end: i + Array.from(open).length, text: open };
  const no = said(negative);
  if (no) return { value: 'negative', start: i, end: i + Array.from(no).length, text: no };
  const yes = said(positive) ?? /^\d+(?:\.\d+)?/.exec(opening)?.[0];
  return yes ? { value: 'positive', start: i, end: i + Array.from(yes).length, text: yes } : null;
}

/**
 * The doubt of the clause right after the one a cue after the finding closes, when that clause turns (但, 然而) and
 * names nothing else: 证据不足，但不能完全除外 and 可能性小，但不能排除 leave the finding open.
 */
function turnedOpen(chars: readonly string[], ctx: SentenceContext, hit: Candidate, type: EntityType | null): Candidate | null {
  let i = hit.match.end;
  while (i < ctx.end && (chars[i] === ' ' || CLOSING.has(chars[i]!))) i++;
  if (!CLAUSE_BREAKS.has(chars[i] ?? '')) return null;
  const turn = ctx.matches.find((m) => m.start === i + 1 && m.terminates === 'all');
  if (!turn) return null;
  let end = turn.end;
  while (end < ctx.end && !CLAUSE_BREAKS.has(chars[end]!) && !HARD_BREAKS.has(chars[end]!)) end++;
  const verdict = clauseVerdict(chars, ctx, turn.end, end, type);
  return verdict?.cue.value === 'possible' ? verdict : null;
}

const VERDICT_OBJECTS = new Set(['此病', '该病', '本病']);

/** The verdict a clause [from, to) without findings ends in, if any. */
function clauseVerdict(chars: readonly string[], ctx: SentenceContext, from: number, to: number, type: EntityType | null): Candidate | null {
  let end = to;
  while (end > from && (chars[end - 1]!.trim() === '' || CLOSING.has(chars[end - 1]!))) end--;
  // The verdict may name its object (需考虑此病).
  const tail = chars.slice(Math.max(from, end - 2), end).join('');
  if (VERDICT_OBJECTS.has(tail)) end -= 2;
  let begin = from;
  while (begin < end && chars[begin]!.trim() === '') begin++;
  if (begin === end) return null;
  for (let i = begin; i < end; i++) if (ctx.covered[i - ctx.start]) return null;
  let verdict: Candidate | null = null;
  for (const m of ctx.matches) {
    // A closing denial (无;) may take the break into its text.
    if (m.start < begin || m.end < end || m.end > to + 1) continue;
    for (const cue of m.cues) {
      if (cue.axis !== 'certainty' || !applies(cue, type)) continue;
      const concludes = cue.direction === 'post' ? m.start === begin || (!cue.closing && !cue.result) : cue.value === 'possible';
      if (concludes) verdict = { cue, match: m, distance: 0 };
    }
  }
  return verdict;
}

/** The clause holding `offset` and the one before it, as text up to `offset` (clauses split at commas). */
function clausesBefore(chars: readonly string[], ctx: SentenceContext, offset: number): string[] {
  const clauses = [''];
  for (let i = offset - 1; i >= ctx.start && clauses.length <= 2; i--) {
    const ch = chars[i]!;
    if (HARD_BREAKS.has(ch) || ctx.itemStarts[i - ctx.start]) break;
    if (CLAUSE_BREAKS.has(ch)) clauses.push('');
    else clauses[clauses.length - 1] = ch + clauses[clauses.length - 1]!;
  }
  return clauses.slice(0, 2);
}

/**
 * Whether a negative exclusion cue (除外) is advice rather than a result: an advice word in its clause before it
 * (必要时除外, 听神经瘤需行MRI除外) or opening the clause before (建议随访复查，除外肿瘤).
 */
function isPlannedExclusion(chars: readonly string[], ctx: SentenceContext, match: CueMatch): boolean {
  const plan = cueLexicon().planExclusion;
  if (!plan.cues.has(match.text)) return false;
  const [own = '', previous = ''] = clausesBefore(chars, ctx, match.start);
  const opening = (clause: string): string => clause.replace(CLAUSE_SUBJECT, '');
  return plan.advice.some((a) => own.includes(a) || opening(previous).startsWith(a));
}

/** Whether the rest of the finding's clause is advice to rule it out (淋巴瘤需进一步免疫组化排除). */
function exclusionPlannedAfter(chars: readonly string[], ctx: SentenceContext, end: number): boolean {
  const plan = cueLexicon().planExclusion;
  // Most findings are followed by no advice word at all: look at the next character before reading the clause.
  const next = chars[end];
  if (next === undefined || end >= ctx.end || !plan.advice.some((a) => a.startsWith(next))) return false;
  let rest = '';
  for (let i = end; i < ctx.end; i++) {
    const ch = chars[i]!;
    if (CLAUSE_BREAKS.has(ch) || HARD_BREAKS.has(ch) || ctx.itemStarts[i - ctx.start]) break;
    if (ctx.covered[i - ctx.start]) return false;
    rest += ch;
  }
  if (rest.length === 0) return false;
  if (!plan.advice.some((a) => rest.startsWith(a))) return false;
  for (const cue of plan.cues) if (rest.endsWith(cue)) return true;
  return false;
}

/**
 * Whether the finding waits on a check named right after it (慢性阻塞性肺疾病待肺功能检查证实, 电解质紊乱待血生化回报,
 * 狼疮性肾炎（待肾活检证实）): an opener (待, 尚待) and, in the same clause, a word of confirming or testing. A bare
 * X待查 is not one: there the finding stands and its cause is open.
 */
function awaitsCheck(chars: readonly string[], ctx: SentenceContext, end: number): boolean {
  const pending = cueLexicon().pendingCheck;
  let i = end;
  if (OPENING.has(chars[i] ?? '')) i++;
  const opener = pending.openers.find((w) => wordAt(chars, i, w));
  if (!opener) return false;
  let rest = '';
  for (let k = i + opener.length; k < ctx.end; k++) {
    const ch = chars[k]!;
    if (CLAUSE_BREAKS.has(ch) || HARD_BREAKS.has(ch) || CLOSING.has(ch) || ctx.itemStarts[k - ctx.start]) break;
    rest += ch;
  }
  return rest.length > 1 && pending.words.some((w) => rest.includes(w));
}

/**
 * The result a bracketed remark right after the finding ends in: HER2（1+，阴性）, 直肠系膜筋膜受累（MRF-）,
 * HER2（2+，不确定）. A code's trailing minus must follow a letter, digit or plus (MRF-, 1+-), not stand alone.
 */
function bracketResult(chars: readonly string[], ctx: SentenceContext, end: number): 'negative' | 'possible' | null {
  let open = end;
  while (open < ctx.end && chars[open]!.trim() === '') open++;
  if (!OPENING.has(chars[open] ?? '')) return null;
  let close = open + 1;
  while (close < ctx.end && !CLOSING.has(chars[close]!) && !OPENING.has(chars[close]!)) close++;
  if (close >= ctx.end || !CLOSING.has(chars[close]!)) return null;
  const content = chars.slice(open + 1, close).join('').trim();
  const results = cueLexicon().bracketResults;
  for (const value of ['negative', 'possible'] as const) {
    for (const word of results[value]) {
      if (!content.endsWith(word) || content.length === word.length) continue;
      if (word === '-' && !/[A-Za-z0-9+]$/.test(content.slice(0, -1))) continue;
      return value;
    }
  }
  return null;
}

/** Whether the finding is one of two named as alternatives (黏膜下囊肿或息肉): neither is settled. */
function inAlternative(chars: readonly string[], ctx: SentenceContext, start: number, end: number): boolean {
  // Most findings touch no such word: compare single characters before joining any text.
  for (const word of cueLexicon().alternatives) {
    const after = end + word.length;
    if (chars[end] === word[0] && after < ctx.end && ctx.covered[after - ctx.start] && chars.slice(end, after).join('') === word) return true;
    const before = start - word.length - 1;
    if (chars[start - 1] === word[word.length - 1] && before >= ctx.start && ctx.covered[before - ctx.start]
      && chars.slice(before + 1, start).join('') === word) return true;
  }
  return false;
}

/** Whether an exam, test or procedure is a re-check still to come (2周后门诊复查肝功能; 术后复查CT示… is done). */
function isPlannedCheck(chars: readonly string[], ctx: SentenceContext, start: number, end: number, type: EntityType | null): boolean {
  const plan = cueLexicon().plannedCheck;
  if (type === null || !plan.types.has(type)) return false;
  const [own = ''] = clausesBefore(chars, ctx, start);
  const verbAt = Math.max(...plan.verbs.map((v) => own.lastIndexOf(v)));
  if (verbAt < 0 || !plan.times.some((t) => own.slice(0, verbAt).includes(t))) return false;
  let rest = '';
  for (let i = end; i < ctx.end; i++) {
    const ch = chars[i]!;
    if (CLAUSE_BREAKS.has(ch) || HARD_BREAKS.has(ch) || ctx.itemStarts[i - ctx.start]) break;
    rest += ch;
  }
  return !plan.results.some((r) => rest.includes(r));
}

/** Whether a past cue dates a discovery rather than the finding (2年前体检发现甲状腺结节: the nodule is still there). */
function datesDiscovery(chars: readonly string[], hit: Candidate, start: number): boolean {
  const found = cueLexicon().foundEarlier;
  if (hit.cue.direction !== 'pre' || hit.cue.value !== 'past' || !(found.cues.has(hit.match.text) || hit.cue.dates)) return false;
  const between = chars.slice(hit.match.end, start).join('');
  return found.words.some((w) => between.includes(w));
}

/** Whom the finding is about, from its subject cue or else its section's default. */
function subjectOf(hits: Hits, section: Section | null): string {
  const hit = hits.subject;
  if (hit) return hit.cue.value;
  const rule = section ? cueLexicon().sectionDefaults[section.key] : undefined;
  return rule?.axis === 'subject' ? rule.value : 'patient';
}

function sectionAt(sections: readonly Section[], offset: number): Section | null {
  let found: Section | null = null;
  for (const s of sections) {
    if (s.start <= offset && offset < s.end && (!found || s.end - s.start < found.end - found.start)) found = s;
  }
  return found;
}

/**
 * ConText-style assertion of the normalized span [start, end) inside `ctx`: on each axis the nearest
 * cue whose scope reaches the span decides; without one, the document section's default (past history,
 * family history) or the axis default applies. A hypothetical finding (如出现…) is at most possible.
 */
export function assertWithCues(doc: MedDocument, ctx: SentenceContext, start: number, end: number, type: EntityType | null): Assertion {
  const lexicon = cueLexicon();
  const defaults = lexicon.defaults;
  const assertion: Assertion = {
    certainty: 'positive', temporality: 'current', subject: 'patient', conditional: false,
    confidence: { certainty: defaults.certainty, temporality: defaults.temporality, subject: defaults.subject, conditional: defaults.conditional },
    triggers: [],
  };
  const hits = bestCues(doc, ctx, start, end, type);
  // An item's conclusion outweighs a cue from before the item (鉴别诊断：…).
  if (!hits.certainty || hits.certainty.match.end <= start) {
    const verdict = headedVerdict(doc.norm.chars, ctx, start, end, type);
    if (verdict) hits.certainty = verdict;
  }
  // A later turn that leaves the finding open (急性冠脉综合征证据不足，但不能完全除外) has the last word.
  if (hits.certainty && hits.certainty.match.start >= end) hits.certainty = turnedOpen(doc.norm.chars, ctx, hits.certainty, type) ?? hits.certainty;
  // A form's reply to the finding's field (义齿 无; ☑咳嗽), or its question answered right after it (有无发热？没有):
  // the reply, not a cue of the field's label or question, decides. A cue within the finding's own words still does.
  const cueWithin = hits.certainty !== undefined && hits.certainty.match.start >= start && hits.certainty.match.end <= end;
  const answer = (cueWithin ? null : fieldReply(doc, ctx, start, end))
    ?? (hits.certainty && askedAbout(doc.norm.chars, ctx, start, hits.certainty.match) ? formAnswer(doc, ctx, end) : null);
  if (answer) hits.certainty = undefined;
  const section = doc.sections.length > 0 ? sectionAt(doc.sections, doc.fromNorm(start, end).start) : null;
  const dated = hits.temporality;
  if (dated && datesDiscovery(doc.norm.chars, dated, start)) hits.temporality = undefined;
  if (dated?.cue.patientOnly && subjectOf(hits, section) !== 'patient') hits.temporality = undefined;
  for (const axis of AXES) {
    const hit = hits[axis];
    if (!hit) continue;
    const planned = hit.cue.value === 'negative' && isPlannedExclusion(doc.norm.chars, ctx, hit.match);
    setAxis(assertion, axis, planned ? 'possible' : hit.cue.value, hit.cue.confidence);
    const span = doc.fromNorm(hit.match.start, hit.match.end);
    assertion.triggers.push({ start: span.start, end: span.end, text: hit.match.text, axis });
  }
  // Which axes a cue (or a rule below) decided; the section's default and the conditional fall-backs leave those alone.
  const decided: Record<Axis, boolean> = {
    certainty: hits.certainty !== undefined, temporality: hits.temporality !== undefined,
    subject: hits.subject !== undefined, conditional: hits.conditional !== undefined,
  };
  if (answer) {
    setAxis(assertion, 'certainty', answer.value, lexicon.defaults.certainty);
    const span = doc.fromNorm(answer.start, answer.end);
    assertion.triggers.push({ start: span.start, end: span.end, text: answer.text, axis: 'certainty' });
    decided.certainty = true;
  }
  const bracketed = decided.certainty ? null : bracketResult(doc.norm.chars, ctx, end);
  if (bracketed) {
    setAxis(assertion, 'certainty', bracketed, lexicon.defaults.certainty);
    decided.certainty = true;
  }
  // Diagnoses named as alternatives are open; symptoms so named describe a pattern (空腹痛或夜间痛), tests a choice.
  const diagnosis = type === null || type === 'disease';
  if (!decided.certainty && (exclusionPlannedAfter(doc.norm.chars, ctx, end) || (diagnosis && inAlternative(doc.norm.chars, ctx, start, end))
    || (type !== null && lexicon.pendingCheck.types.has(type) && awaitsCheck(doc.norm.chars, ctx, end)))) {
    setAxis(assertion, 'certainty', 'possible', lexicon.defaults.certainty);
    decided.certainty = true;
  }
  const rule = section ? lexicon.sectionDefaults[section.key] : undefined;
  if (rule && !decided[rule.axis] && (!rule.types || (type !== null && rule.types.includes(type)))) setAxis(assertion, rule.axis, rule.value, rule.confidence);
  if (!decided.temporality && isPlannedCheck(doc.norm.chars, ctx, start, end, type)) {
    setAxis(assertion, 'temporality', 'future', lexicon.defaults.temporality);
    decided.temporality = true;
  }
  // A finding that may occur is possible; an exam, test or procedure under a condition (必要时行胃镜) is a plan, still certain.
  if (assertion.conditional && !decided.certainty && !(type !== null && lexicon.plannedCheck.types.has(type))) {
    assertion.certainty = 'possible';
    assertion.confidence.certainty = assertion.confidence.conditional;
  }
  // What may yet happen (如出现黑便及时就诊) lies ahead.
  if (assertion.conditional && !decided.temporality) {
    assertion.temporality = 'future';
    assertion.confidence.temporality = assertion.confidence.conditional;
  }
  return assertion;
}

const AXES: readonly Axis[] = ['certainty', 'temporality', 'subject', 'conditional'];

function setAxis(a: Assertion, axis: Axis, value: string, confidence: number): void {
  if (axis === 'certainty') a.certainty = value as Assertion['certainty'];
  else if (axis === 'temporality') a.temporality = value as Assertion['temporality'];
  else if (axis === 'subject') a.subject = value as Assertion['subject'];
  else a.conditional = value === 'true';
  a.confidence[axis] = confidence;
}
