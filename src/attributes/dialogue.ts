import { MedDocument } from '../document/document.js';
import type { Certainty } from '../document/types.js';
import { assertWithCues, sentenceContext } from './context.js';
import { contextFeatures } from './features.js';
import { certaintyModels, predict, type CertaintyModel } from './model.js';

export interface Utterance {
  speaker: string;
  sentence: string;
}

/** A finding mentioned in a dialogue: utterance index and code-point span within that utterance. */
export interface DialogueMention {
  utterance: number;
  start: number;
  end: number;
}

const NEGATIVE_ANSWER = /^(?:[嗯啊哦噢呃,，。 ]*)(?:没|不|无|否|未|木有)/;
const POSITIVE_ANSWER = /^(?:[嗯啊哦噢呃,，。 ]*)(?:有|是|对|会|嗯|恩|偶尔|一直|经常|还有)/;
const ANSWER_LOOKAHEAD = 3;

/**
 * Features a single sentence cannot show: who speaks, how the other party answers a question about the
 * finding (宝宝咳嗽吗？— 没有), and how the same words are asserted elsewhere in the dialogue.
 */
export function dialogueFeatures(utterances: readonly Utterance[], mention: DialogueMention, elsewhere: Certainty[]): string[] {
  const here = utterances[mention.utterance]!;
  const text = Array.from(here.sentence).slice(mention.start, mention.end).join('');
  const f = [`spk=${here.speaker}`, `text=${text}`, `spk-text=${here.speaker}${text}`];
  for (const ch of new Set(text)) f.push(`tc=${ch}`);
  for (let k = mention.utterance + 1; k < Math.min(utterances.length, mention.utterance + 1 + ANSWER_LOOKAHEAD); k++) {
    const u = utterances[k]!;
    if (u.speaker === here.speaker) continue;
    const answer = u.sentence.trim();
    f.push(`ans1=${answer.slice(0, 1)}`, `ans2=${answer.slice(0, 2)}`);
    if (NEGATIVE_ANSWER.test(answer)) f.push('ans-neg');
    if (POSITIVE_ANSWER.test(answer)) f.push('ans-yes');
    if (answer.includes(text)) f.push('ans-repeats');
    if (answer.length <= 4) f.push('ans-short');
    if (/[没不无未]/.test(answer.slice(0, 6))) f.push('ans-neg-near');
    if (/[?？吗]/.test(answer)) f.push('ans-asks');
    break;
  }
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
    return { rules, features: contextFeatures(doc.norm.chars, ctx, span.start, span.end, rules), text: doc.slice(m.start, m.end) };
  });
  return mentions.map((m, i) => {
    const elsewhere = local.filter((o, j) => j !== i && o.text === local[i]!.text).map((o) => o.rules.certainty);
    const sentence = local[i]!.features;
    // Doctors explain and ask about diseases in general; the same words from a parent usually report them.
    const speaker = utterances[m.utterance]!.speaker;
    const bySpeaker = sentence.map((f) => `${speaker}|${f}`);
    const turn = dialogueFeatures(utterances, m, elsewhere);
    // An answer matters when the sentence asked: 发烧吗？— 没有.
    const asked = sentence.includes('question') ? turn.filter((f) => f.startsWith('ans')).map((f) => `q|${f}`) : [];
    return { sentence, dialogue: [...sentence, ...bySpeaker, ...turn, ...asked] };
  });
}

function argmax(model: CertaintyModel, features: readonly string[]): Certainty {
  const probs = predict(model, features);
  let best = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
  return model.labels[best]!;
}

/**
 * What a first pass said about the other mentions of the same words in the dialogue: a symptom the
 * parent denies once is usually absent wherever it comes up.
 */
export function peerFeatures(utterances: readonly Utterance[], mentions: readonly DialogueMention[], firstPass: readonly Certainty[]): string[][] {
  const texts = mentions.map((m) => Array.from(utterances[m.utterance]!.sentence).slice(m.start, m.end).join(''));
  return mentions.map((_, i) => {
    const f: string[] = [];
    for (let j = 0; j < mentions.length; j++) {
      if (j === i || texts[j] !== texts[i]) continue;
      f.push(`peer=${firstPass[j]}`, `peer-${utterances[mentions[j]!.utterance]!.speaker}=${firstPass[j]}`);
    }
    if (f.length === 0) f.push('peer=none');
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
  const firstPass = features.map(({ dialogue }) => argmax(models.dialogue, dialogue));
  const peers = peerFeatures(utterances, mentions, firstPass);
  return features.map(({ dialogue }, i) => argmax(models.stacked, [...dialogue, ...peers[i]!]));
}
