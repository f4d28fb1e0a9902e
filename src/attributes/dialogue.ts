import { MedDocument } from '../document/document.js';
import type { Certainty } from '../document/types.js';
import { assertWithCues, sentenceContext } from './context.js';
import { contextFeatures } from './features.js';
import { CERTAINTIES, certaintyModels, predict, type CertaintyModel } from './model.js';

export interface Utterance {
  speaker: string;
  sentence: string;
}

/** A finding mentioned in a dialogue: utterance index and code-point span within that utterance. */
export interface DialogueMention {
  utterance: number;
  start: number;
  end: number;
  /** The finding's standard name where the data gives one (拉肚子 → 腹泻): mentions of one finding share it. */
  normalized?: string;
}

const NEGATIVE_ANSWER = /^(?:[嗯啊哦噢呃,，。 ]*)(?:没|不|无|否|未|木有)/;
const POSITIVE_ANSWER = /^(?:[嗯啊哦噢呃,，。 ]*)(?:有|是|对|会|嗯|恩|偶尔|一直|经常|还有)/;
/** Answers that deny everything asked (都没有, 您说的症状都没有). */
const DENIES_ALL = /都没|都不|均无|没有这些|这些都没|也没有|都还好/;
const UNSURE_ANSWER = /不清楚|不知道|不确定|说不好|不太清楚|看不出|好像|应该|可能/;
/** How many following utterances may hold the other party's answer (a doctor often asks several things at once). */
const ANSWER_LOOKAHEAD = 5;
const ANSWERS_READ = 3;
/** Doctors' explanations (感冒一般三天, 如果出现腹泻) mention findings in general: CMDD marks those uncertain. */
const GENERAL_WORDS = ['一般', '如果', '容易', '可能', '考虑', '引起', '导致', '比如', '注意', '避免', '预防', '以后', '的话', '出现', '表现', '会', '多见', '常见', '症状', '诊断', '排除', '是不是', '有没有', '还是', '怎么', '吗', '？', '?'];

/** Whether `text` occurs in `sentence` with a negation just before it (没有呛咳, 不发烧). */
function negatedIn(sentence: string, text: string): boolean {
  let at = sentence.indexOf(text);
  while (at >= 0) {
    if (/[没不无未]/.test(sentence.slice(Math.max(0, at - 3), at))) return true;
    at = sentence.indexOf(text, at + 1);
  }
  return false;
}

/**
 * Features a single sentence cannot show: who speaks, what the utterance is like (a question, an
 * explanation), how the other party answers a question about the finding (宝宝咳嗽吗？— 没有), and how
 * the same finding is asserted elsewhere in the dialogue.
 */
export function dialogueFeatures(utterances: readonly Utterance[], mention: DialogueMention, elsewhere: Certainty[]): string[] {
  const here = utterances[mention.utterance]!;
  const text = Array.from(here.sentence).slice(mention.start, mention.end).join('');
  const key = mention.normalized ?? text;
  const f = [`spk=${here.speaker}`, `text=${text}`, `spk-text=${here.speaker}${text}`, `norm=${key}`, `spk-norm=${here.speaker}${key}`];
  for (const ch of new Set(text)) f.push(`tc=${ch}`);
  for (const w of GENERAL_WORDS) if (here.sentence.includes(w)) f.push(`utt=${here.speaker}${w}`);
  const chars = Array.from(here.sentence);
  let clauseEnd = mention.end;
  while (clauseEnd < chars.length && !/[，,。！!？?；;]/.test(chars[clauseEnd]!)) clauseEnd++;
  let clauseStart = mention.start;
  while (clauseStart > 0 && !/[，,。！!？?；;]/.test(chars[clauseStart - 1]!)) clauseStart--;
  const clause = chars.slice(clauseStart, clauseEnd + 1).join('');
  if (/[?？吗么呢]|有没有|是不是|有无|会不会|还是/.test(clause)) f.push(`clause-asks=${here.speaker}`);
  const length = Array.from(here.sentence).length;
  f.push(`len=${here.speaker}${length <= 8 ? 's' : length <= 20 ? 'm' : length <= 50 ? 'l' : 'xl'}`);
  let answers = 0;
  for (let k = mention.utterance + 1; k < Math.min(utterances.length, mention.utterance + 1 + ANSWER_LOOKAHEAD) && answers < ANSWERS_READ; k++) {
    const u = utterances[k]!;
    if (u.speaker === here.speaker) continue;
    const answer = u.sentence.trim();
    answers++;
    const n = answers;
    if (n === 1) {
      f.push(`ans1=${answer.slice(0, 1)}`, `ans2=${answer.slice(0, 2)}`);
      if (answer.length <= 4) f.push('ans-short');
      if (/[?？吗]/.test(answer)) f.push('ans-asks');
    }
    if (NEGATIVE_ANSWER.test(answer)) f.push(`ans-neg@${n}`, 'ans-neg-any');
    if (POSITIVE_ANSWER.test(answer)) f.push(`ans-yes@${n}`);
    if (DENIES_ALL.test(answer)) f.push(`ans-denies-all@${n}`);
    if (UNSURE_ANSWER.test(answer)) f.push(`ans-unsure@${n}`);
    if (/[没不无未]/.test(answer.slice(0, 6))) f.push(`ans-neg-near@${n}`);
    if (answer.includes(text)) f.push(negatedIn(answer, text) ? 'ans-repeats-negated' : 'ans-repeats');
  }
  if (answers === 0) f.push('ans-none');
  for (const c of new Set(elsewhere)) f.push(`elsewhere=${c}`);
  if (elsewhere.length === 0) f.push('elsewhere=none');
  return f;
}

/**
 * Features of every mention, in order (shared by training and evaluation): `sentence` what the
 * pipeline's model sees, `dialogue` those plus the dialogue features.
 */
export function dialogueMentionFeatures(utterances: readonly Utterance[], mentions: readonly DialogueMention[]): Array<{ sentence: string[]; dialogue: string[] }> {
  const docs = utterances.map((u) => new MedDocument(u.sentence));
  const local = mentions.map((m) => {
    const doc = docs[m.utterance]!;
    const same = mentions.filter((o) => o.utterance === m.utterance).map((o) => doc.toNorm(o.start, o.end));
    const ctx = sentenceContext(doc, 0, doc.norm.chars.length, same);
    const span = doc.toNorm(m.start, m.end);
    const rules = assertWithCues(doc, ctx, span.start, span.end, 'symptom');
    return { rules, features: contextFeatures(doc.norm.chars, ctx, span.start, span.end, rules), key: m.normalized ?? doc.slice(m.start, m.end) };
  });
  return mentions.map((m, i) => {
    const elsewhere = local.filter((o, j) => j !== i && o.key === local[i]!.key).map((o) => o.rules.certainty);
    const sentence = local[i]!.features;
    // Doctors explain and ask about diseases in general; the same words from a parent usually report them.
    const speaker = utterances[m.utterance]!.speaker;
    const where: string[] = [`at=${speaker}${Math.min(3, Math.floor((4 * m.utterance) / utterances.length))}`];
    // Who else brings the same finding up, before or after, and how the rules read it there.
    for (let j = 0; j < mentions.length; j++) {
      const o = mentions[j]!;
      if (j === i || local[j]!.key !== local[i]!.key || o.utterance === m.utterance) continue;
      const side = o.utterance < m.utterance ? 'before' : 'after';
      where.push(`other-${side}=${utterances[o.utterance]!.speaker === speaker ? 'same' : 'other'}-${local[j]!.rules.certainty}`);
    }
    const bySpeaker = sentence.map((f) => `${speaker}|${f}`);
    const turn = dialogueFeatures(utterances, m, elsewhere);
    // An answer matters when the sentence asked: 发烧吗？— 没有.
    const asked = sentence.includes('question') ? turn.filter((f) => f.startsWith('ans')).map((f) => `q|${f}`) : [];
    return { sentence, dialogue: [...sentence, ...bySpeaker, ...turn, ...asked, ...new Set(where)] };
  });
}

function argmax(model: CertaintyModel, features: readonly string[]): Certainty {
  const probs = predict(model, features);
  let best = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
  return model.labels[best]!;
}

/**
 * What a first pass said about the other mentions of the same finding in the dialogue (its class
 * probabilities, in CERTAINTIES order): a symptom the parent denies once is usually absent wherever it
 * comes up, and one the doctor only suspects stays uncertain.
 */
export function peerFeatures(utterances: readonly Utterance[], mentions: readonly DialogueMention[], firstPass: readonly (readonly number[])[]): string[][] {
  const keys = mentions.map((m) => m.normalized ?? Array.from(utterances[m.utterance]!.sentence).slice(m.start, m.end).join(''));
  const verdict = (p: readonly number[]): Certainty => CERTAINTIES[p.indexOf(Math.max(...p))]!;
  const bin = (x: number): number => Math.min(4, Math.floor(x * 5));
  return mentions.map((m, i) => {
    const f: string[] = [];
    const sums = [0, 0, 0];
    let peers = 0;
    for (let j = 0; j < mentions.length; j++) {
      if (j === i || keys[j] !== keys[i]) continue;
      const p = firstPass[j]!;
      const side = mentions[j]!.utterance < m.utterance ? 'before' : 'after';
      f.push(`peer=${verdict(p)}`, `peer-${utterances[mentions[j]!.utterance]!.speaker}=${verdict(p)}`, `peer-${side}=${verdict(p)}`);
      for (let k = 0; k < 3; k++) sums[k]! += p[k]!;
      peers++;
    }
    if (peers === 0) return ['peer=none'];
    for (let k = 0; k < 3; k++) f.push(`peer-mean-${CERTAINTIES[k]}=${bin(sums[k]! / peers)}`);
    f.push(`peers=${Math.min(peers, 4)}`);
    const own = firstPass[i]!;
    f.push(`own=${verdict(own)}`, `own-${verdict(own)}=${bin(Math.max(...own))}`);
    return [...new Set(f)];
  });
}

/**
 * Certainty of each mention in a dialogue: the dialogue model over rule, context and turn features,
 * then a second model that also sees the first pass's verdicts on the other mentions of the same words.
 */
export function assertDialogue(utterances: readonly Utterance[], mentions: readonly DialogueMention[]): Certainty[] {
  const models = certaintyModels();
  const features = dialogueMentionFeatures(utterances, mentions);
  if (!models) return features.map(({ dialogue: f }) => (f.includes('rule=negative') ? 'negative' : f.includes('rule=possible') ? 'possible' : 'positive'));
  const firstPass = features.map(({ dialogue }) => predict(models.dialogue, dialogue));
  const peers = peerFeatures(utterances, mentions, firstPass);
  return features.map(({ dialogue }, i) => argmax(models.stacked, [...dialogue, ...peers[i]!]));
}
