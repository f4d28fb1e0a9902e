import type { Assertion, Certainty } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import type { EntityType } from '../taxonomy/taxonomy.js';
import { codePointIndex } from '../util/code-points.js';

export type Axis = keyof Omit<Assertion, 'confidence' | 'triggers'>;

/** One cue of resources/attributes/triggers.json, expanded to a single text. */
export interface Cue {
  text: string;
  axis: Axis;
  value: string;
  direction: 'pre' | 'post';
  scope: number;
  confidence: number;
  /** Result cues (阴性, (-)) also apply to tests and exams. */
  result: boolean;
  /** Whether the scope runs on into following clauses that hold only findings. */
  clauses: boolean;
  /** A heading or order that governs its whole sentence (出院带药：…，…; 嘱出院后…，规律服用…): no clause ends its scope. */
  sentence: boolean;
  /** A post-cue that also reaches the last finding of the clause before (肺部感染，请结合临床). */
  reachesBack: boolean;
  /** The entity types the cue applies to (后 right after a procedure), or null for all. */
  types: ReadonlySet<EntityType> | null;
  /** A doubt word describing the finding (可疑钙化): within a negation's scope the negation decides (未见肿块及可疑钙化). */
  yieldsToNegation: boolean;
  /** A relative who stays the topic of the sentence's later clauses (母亲健在，有2型糖尿病) until a clause opens with another subject. */
  topic: boolean;
  /** Applies only to the patient's own findings (高血压病史 is past; 外婆有乳腺癌病史 says the relative has had it). */
  patientOnly: boolean;
  /** A date (2019年): like 年前 it dates what follows, and a discovery it dates stays current (2019年体检发现肝囊肿). */
  dates: boolean;
  /**
   * A post-cue that is a verb of seeing (未见, 未探及): it denies the finding before it only when it ends the clause
   * (腹水未见); with words after it, the finding is where the look was taken (结节内未见血流信号).
   */
  closing: boolean;
  /**
   * Counts only written outside the finding's span: 待查 after a diagnosis leaves it open (前列腺癌待查), but a span that
   * takes it in names a working diagnosis (腹痛待查, as Yidu-S4K annotates), where the finding is present.
   */
  outside: boolean;
}

interface CueGroup {
  axis: Axis;
  value: string;
  direction: 'pre' | 'post';
  scope: number;
  confidence: number;
  result?: boolean;
  clauses?: boolean;
  sentence?: boolean;
  reachesBack?: boolean;
  types?: EntityType[];
  yieldsToNegation?: boolean;
  topic?: boolean;
  patientOnly?: boolean;
  closing?: boolean;
  outside?: boolean;
  texts: string[];
}

interface CueFile {
  asserted: { full: EntityType[]; resultOnly: EntityType[] };
  defaults: Record<Axis, number>;
  /** What a section implies where no cue decides; `types` limits it (the drugs and tests of 出院医嘱 are ahead, its advice words are not findings). */
  sectionDefaults: Record<string, { axis: Axis; value: string; confidence: number; types?: EntityType[] }>;
  cues: CueGroup[];
  terminators: string[];
  certaintyTerminators: string[];
  accompanimentTerminators: string[];
  pseudo: string[];
  observations: string[];
  planExclusion: { cues: string[]; advice: string[] };
  plannedCheck: { types: EntityType[]; verbs: string[]; times: string[]; results: string[] };
  foundEarlier: { cues: string[]; words: string[] };
  /** Cues written with digits, as a pattern rather than a text (a year: 2019年; no node of a count: 0/15枚见). */
  numberCues: Array<Omit<CueGroup, 'texts'> & { pattern: string }>;
  conditionOpeners: { cues: string[]; consequences: string[]; ambiguous: string[]; confirming: string[] };
  topicEnds: string[];
  closingObjects: string[];
  formAnswers: { questions: string[]; leads: string[]; negative: string[]; positive: string[]; possible: string[]; labels: string[] };
  fieldMarks: { ticked: string[]; empty: string[]; doubted: string[]; yes: string[]; no: string[] };
  alternatives: string[];
  statementEndings: string[];
  reporterVerbs: string[];
  pendingCheck: { types: EntityType[]; openers: string[]; words: string[] };
  bracketResults: { negative: string[]; possible: string[] };
  modelGate: string[];
}

/** What matched at one place of a sentence: cues (several axes may share a text), a scope terminator, or a pseudo-cue. */
export interface CueMatch {
  start: number;
  end: number;
  text: string;
  cues: Cue[];
  /**
   * Which scopes this match ends: every axis' (但), only certainty's (可见), certainty's except a doubt written
   * before it (伴: 考虑肺癌伴骨转移 hedges both), or none.
   */
  terminates: 'all' | 'certainty' | 'accompaniment' | null;
}

export interface CueLexicon {
  readonly fullTypes: ReadonlySet<EntityType>;
  readonly resultOnlyTypes: ReadonlySet<EntityType>;
  readonly defaults: Record<Axis, number>;
  readonly sectionDefaults: CueFile['sectionDefaults'];
  /** Endings of what an image shows (低密度影, 结节): seen, so a later advice to clarify leaves them certain. */
  readonly observations: readonly string[];
  /** Exclusion cues (除外) that read as advice, so possible, after one of `advice` (必要时除外淋巴瘤). */
  readonly planExclusion: { readonly cues: ReadonlySet<string>; readonly advice: readonly string[] };
  /** A re-check to come (2周后门诊复查肝功能, 每半年复查CEA): a verb after a later time, no result after the test. */
  readonly plannedCheck: {
    readonly types: ReadonlySet<EntityType>; readonly verbs: readonly string[]; readonly times: readonly string[]; readonly results: readonly string[];
  };
  /** Past cues (2年前) that date a discovery, not the finding, when one of `words` follows (2年前体检发现甲状腺结节). */
  readonly foundEarlier: { readonly cues: ReadonlySet<string>; readonly words: readonly string[] };
  /**
   * Conditional cues that open a condition (如出现, 若): their reach takes the next clause too, the consequence
   * (若病灶增大，建议穿刺活检), unless the condition's own clause already holds one of `consequences` (如有胸痛及时就诊，…).
   * An `ambiguous` opener (如: also "such as", and the end of 缺如, 自如) opens one only with a consequence or a
   * `confirming` word (出现, 加重, 可予) later in its sentence.
   */
  readonly conditionOpeners: {
    readonly cues: ReadonlySet<string>; readonly consequences: readonly string[]; readonly ambiguous: ReadonlySet<string>; readonly confirming: readonly string[];
  };
  /** Clause openings that end a relative's topic (患者本人…, 建议…). */
  readonly topicEnds: readonly string[];
  /** What may follow a closing cue and still leave it closing its clause (脑膜转移未见明确征象). */
  readonly closingObjects: readonly string[];
  /**
   * A form's question and its answer (有无发热？没有; 有无腹痛：有，右下腹): after one of `questions`, the finding, then
   * ? or : (or a comma and one of `leads`: 询问有无咳嗽，答无), the answer decides — `negative`, `positive` (or a value:
   * 37.8) or `possible` words (不详).
   */
  readonly formAnswers: {
    readonly questions: ReadonlySet<string>; readonly leads: readonly string[];
    readonly negative: readonly string[]; readonly positive: readonly string[]; readonly possible: readonly string[];
    /** Words that may close a field's label after its finding (家族史, 病史), longest first. */
    readonly labels: readonly string[];
  };
  /**
   * What a form writes beside a field, longest first: answer words (无, 否认, 不详), letters and marks (N, ×, √) and
   * check boxes (☑ ticked, □ left empty, [?] doubted). `box` tells a check box, which also marks the option written beside it.
   */
  readonly fieldReplies: ReadonlyArray<{ readonly text: string; readonly chars: number; readonly value: Certainty; readonly box: boolean }>;
  /** The first characters of the replies, and the last ones of the boxes: most positions hold neither, and need no search. */
  readonly fieldReplyFirsts: ReadonlySet<string>;
  readonly boxLasts: ReadonlySet<string>;
  /** What may follow a finding at once in a form's field: a space, colon, slash or bracket, a label's first character, a box. */
  readonly replyOpeners: ReadonlySet<string>;
  /** Words joining two findings as alternatives (囊肿或息肉): neither is settled. */
  readonly alternatives: readonly string[];
  /** Endings of a finding that state a change (…改变, …增大, …淡漠): a clause of one is not a list a denial runs on into. */
  readonly statementEndings: readonly string[];
  /** Verbs of telling (诉, 代诉): a relative or spouse right before one reports the patient's history. */
  readonly reporterVerbs: readonly string[];
  /** A finding waiting on a check named after it (X待肾活检证实): `openers` begin the wait, `words` name the check. */
  readonly pendingCheck: { readonly types: ReadonlySet<EntityType>; readonly openers: readonly string[]; readonly words: readonly string[] };
  /** Endings of a bracketed remark after a finding that state its result (（1+，阴性）, （MRF-）, （2+，不确定）). */
  readonly bracketResults: { readonly negative: readonly string[]; readonly possible: readonly string[] };
  /**
   * Characters that carry negation or doubt by themselves (没, 不, 好像, 应该, 吗): near none of them the learned model,
   * trained on colloquial dialogue, has nothing to add to the cue lists.
   */
  readonly certaintyChars: ReadonlySet<string>;
  /**
   * Non-overlapping matches of `chars[from, to)`, longest first at each position, in order. No match
   * straddles an offset marked in `boundaries` (indexed from `from`; a finding's edge), so 无尿 cannot
   * swallow the 尿 of 无尿频.
   */
  scan(chars: readonly string[], from: number, to: number, boundaries?: Uint8Array): CueMatch[];
}

interface Entry { text: string; chars: string[]; cues: Cue[]; terminates: CueMatch['terminates'] }

/** A trie node, its children keyed by code point (number keys hash faster than one-character strings). */
interface TrieNode { next: Map<number, TrieNode>; entry: Entry | null }

function compile(file: CueFile): CueLexicon {
  const entries = new Map<string, Entry>();
  const entry = (text: string): Entry => {
    let e = entries.get(text);
    if (!e) { e = { text, chars: Array.from(text), cues: [], terminates: null }; entries.set(text, e); }
    return e;
  };
  for (const group of file.cues) {
    for (const text of group.texts) {
      entry(text).cues.push({
        text, axis: group.axis, value: group.value, direction: group.direction, scope: group.scope,
        confidence: group.confidence, result: group.result === true, clauses: group.clauses !== false, sentence: group.sentence === true,
        reachesBack: group.reachesBack === true, types: group.types ? new Set(group.types) : null,
        yieldsToNegation: group.yieldsToNegation === true, topic: group.topic === true, patientOnly: group.patientOnly === true,
        dates: false, closing: group.closing === true, outside: group.outside === true,
      });
    }
  }
  const numbered = file.numberCues.map((group) => ({
    pattern: new RegExp(group.pattern, 'gu'),
    cue: {
      text: group.pattern, axis: group.axis, value: group.value, direction: group.direction, scope: group.scope,
      confidence: group.confidence, result: false, clauses: group.clauses !== false, sentence: false, reachesBack: false,
      types: group.types ? new Set(group.types) : null, yieldsToNegation: false, topic: false, patientOnly: false,
      dates: group.axis === 'temporality', closing: false, outside: false,
    } satisfies Cue,
  }));
  for (const text of file.certaintyTerminators) entry(text).terminates = 'certainty';
  for (const text of file.accompanimentTerminators) entry(text).terminates = 'accompaniment';
  for (const text of file.terminators) entry(text).terminates = 'all';
  for (const text of file.pseudo) entry(text);
  // A character trie of the cue texts: the scan walks it once per position and keeps the longest entry it passes.
  const trie: TrieNode = { next: new Map(), entry: null };
  for (const e of entries.values()) {
    let node = trie;
    for (const ch of e.chars) {
      const code = ch.codePointAt(0)!;
      let child = node.next.get(code);
      if (!child) { child = { next: new Map(), entry: null }; node.next.set(code, child); }
      node = child;
    }
    node.entry = e;
  }
  // Most characters start no cue: a table of the first UTF-16 units answers that before the Map lookup.
  const startsCue = new Uint8Array(0x10000);
  for (const code of trie.next.keys()) startsCue[String.fromCodePoint(code).charCodeAt(0)] = 1;

  /** The number cues' matches in `chars[from, to)` by start, found in one pass over the text rather than at every position. */
  const numberMatches = (chars: readonly string[], from: number, to: number): Map<number, Array<{ length: number; text: string; cue: Cue }>> | null => {
    if (numbered.length === 0) return null;
    // They are written with digits (2019年, 0/15); most sentences have none and need no pass at all.
    let digits = false;
    for (let i = from; i < to && !digits; i++) digits = isDigitChar(chars[i]!);
    if (!digits) return null;
    const text = chars.slice(from, to).join('');
    const toCp = codePointIndex(text);
    const byStart = new Map<number, Array<{ length: number; text: string; cue: Cue }>>();
    for (const d of numbered) {
      d.pattern.lastIndex = 0;
      for (let m = d.pattern.exec(text); m !== null; m = d.pattern.exec(text)) {
        if (m[0].length === 0) { d.pattern.lastIndex++; continue; }
        const start = from + toCp(m.index);
        const list = byStart.get(start) ?? [];
        list.push({ length: Array.from(m[0]).length, text: m[0], cue: d.cue });
        byStart.set(start, list);
      }
    }
    return byStart;
  };

  const replies = fieldReplies(file);
  return {
    fullTypes: new Set(file.asserted.full),
    resultOnlyTypes: new Set(file.asserted.resultOnly),
    defaults: file.defaults,
    sectionDefaults: file.sectionDefaults,
    observations: file.observations,
    planExclusion: { cues: new Set(file.planExclusion.cues), advice: file.planExclusion.advice },
    plannedCheck: { ...file.plannedCheck, types: new Set(file.plannedCheck.types) },
    foundEarlier: { cues: new Set(file.foundEarlier.cues), words: file.foundEarlier.words },
    conditionOpeners: {
      cues: new Set(file.conditionOpeners.cues), consequences: file.conditionOpeners.consequences,
      ambiguous: new Set(file.conditionOpeners.ambiguous), confirming: file.conditionOpeners.confirming,
    },
    topicEnds: file.topicEnds,
    closingObjects: file.closingObjects,
    formAnswers: { ...file.formAnswers, questions: new Set(file.formAnswers.questions) },
    fieldReplies: replies,
    fieldReplyFirsts: new Set(replies.map((r) => Array.from(r.text)[0]!)),
    boxLasts: new Set(replies.filter((r) => r.box).map((r) => Array.from(r.text).at(-1)!)),
    replyOpeners: new Set([' ', ':', '/', '(', ...file.formAnswers.labels.map((w) => Array.from(w)[0]!), ...replies.filter((r) => r.box).map((r) => Array.from(r.text)[0]!)]),
    alternatives: file.alternatives,
    statementEndings: file.statementEndings,
    reporterVerbs: file.reporterVerbs,
    pendingCheck: { ...file.pendingCheck, types: new Set(file.pendingCheck.types) },
    bracketResults: file.bracketResults,
    certaintyChars: new Set(file.modelGate),
    scan(chars, from, to, boundaries) {
      const out: CueMatch[] = [];
      const numbersAt = numberMatches(chars, from, to);
      let i = from;
      scanning: while (i < to) {
        const numbersHere = numbersAt?.get(i);
        if (numbersHere) {
          for (const d of numbersHere) {
            if (boundaries && straddles(boundaries, i + 1 - from, i + d.length - from)) continue;
            out.push({ start: i, end: i + d.length, text: d.text, cues: [d.cue], terminates: null });
            i += d.length;
            continue scanning;
          }
        }
        let hit: Entry | null = null;
        const first = chars[i]!.charCodeAt(0);
        let node = startsCue[first] === 0 ? undefined : trie.next.get(chars[i]!.codePointAt(0)!);
        for (let k = 1; node; k++) {
          if (node.entry) hit = node.entry;
          // A cue never runs over a finding's edge (the 尿 of 无尿频 stays the finding's).
          if (i + k >= to || boundaries?.[i + k - from]) break;
          node = node.next.get(chars[i + k]!.codePointAt(0)!);
        }
        if (hit) {
          out.push({ start: i, end: i + hit.chars.length, text: hit.text, cues: hit.cues, terminates: hit.terminates });
          i += hit.chars.length;
        } else {
          i++;
        }
      }
      return out;
    },
  };
}

/** Whether a one-character string is an ASCII digit (a code comparison: string comparisons cost more per character). */
/** The form replies of the cue file, longest first so that 否认 is read before 否. */
function fieldReplies(file: CueFile): CueLexicon['fieldReplies'] {
  const { negative, positive, possible } = file.formAnswers;
  const { ticked, empty, doubted, yes, no } = file.fieldMarks;
  const replies = [
    ...possible.map((text) => ({ text, value: 'possible' as const, box: false })),
    ...negative.map((text) => ({ text, value: 'negative' as const, box: false })),
    ...positive.map((text) => ({ text, value: 'positive' as const, box: false })),
    ...yes.map((text) => ({ text, value: 'positive' as const, box: false })),
    ...no.map((text) => ({ text, value: 'negative' as const, box: false })),
    ...ticked.map((text) => ({ text, value: 'positive' as const, box: true })),
    ...empty.map((text) => ({ text, value: 'negative' as const, box: true })),
    ...doubted.map((text) => ({ text, value: 'possible' as const, box: true })),
  ].map((r) => ({ ...r, chars: Array.from(r.text).length }));
  return replies.sort((a, b) => b.chars - a.chars);
}

export function isDigitChar(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code >= 48 && code <= 57;
}

/** Whether any offset in [from, to) is marked. */
function straddles(marks: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (marks[i] === 1) return true;
  return false;
}

let lexicon: CueLexicon | null = null;

/** The cue lexicon from resources/attributes/triggers.json, compiled once. */
export function cueLexicon(): CueLexicon {
  lexicon ??= compile(readJsonResource<CueFile>('attributes', 'triggers.json'));
  return lexicon;
}
