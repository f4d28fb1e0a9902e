import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import { GAZETTEER_TYPES, foldKey, type Gazetteer, type GazetteerMatches } from './gazetteer.js';
import { finish, mix } from './hash.js';

/**
 * Feature extraction shared by training and inference. Every position gets `slots` integer
 * features (0 = absent), each a hash of a template id and the code points or classes it looks at:
 * character n-grams in a ±2 window, character classes, jieba word position/identity and neighbouring
 * words, the position's role in dictionary matches per dictionary type, and its role in matches of
 * each model's own lexicon of training entities per label; with `wideContext` (models trained with it
 * say so in their header) also the position in the clause between punctuation, the second words left
 * and right and the word bigram. Several models can share one extraction:
 * each lexicon gets its own slot range (`lexiconSlot(k)`), and a model reads only the shared slots
 * and its own range.
 */
const BASE_SLOTS = 21;
/** Wide-context templates sit after the gazetteer's; they stay 0 (skipped) unless the extractor fills them. */
const WIDE_SLOTS = 5;
/** Shared slots that models trained without wide context read (an extractor without it leaves the rest 0). */
export const NARROW_SLOTS = BASE_SLOTS + GAZETTEER_TYPES.length;
export const SHARED_SLOTS = NARROW_SLOTS + WIDE_SLOTS;
/** Bumped whenever the templates change, so a model trained on other templates is refused. */
export const FEATURE_VERSION = 2;

const PAD_LEFT = 0x110001;
const PAD_RIGHT = 0x110002;

const enum CharClass { Han = 1, Digit, Upper, Lower, Punct, Space, Other }

function charClass(cp: number): number {
  if (cp >= 0x4e00 && cp <= 0x9fff) return CharClass.Han;
  if (cp >= 48 && cp <= 57) return CharClass.Digit;
  if (cp >= 65 && cp <= 90) return CharClass.Upper;
  if (cp >= 97 && cp <= 122) return CharClass.Lower;
  if (cp === 32 || cp === 10) return CharClass.Space;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126) || (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xff00 && cp <= 0xffef) || (cp >= 0x2000 && cp <= 0x206f)) return CharClass.Punct;
  if (cp >= 0x3400 && cp <= 0x4dbf) return CharClass.Han;
  if (cp >= 0x20000 && cp <= 0x3134f) return CharClass.Han;
  return CharClass.Other;
}

/** Code point as n-gram features see it: digits folded to 0, ASCII letters lower-cased. */
function gramKey(cp: number): number {
  if (cp >= 48 && cp <= 57) return 48;
  return foldKey(cp);
}

let jieba: Jieba | null = null;

function segmenter(): Jieba {
  if (!jieba) {
    const require = createRequire(import.meta.url);
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

const t1 = (slot: number, a: number): number => finish(mix(mix(slot, a), 0x5bd1e995));
const t2 = (slot: number, a: number, b: number): number => finish(mix(mix(mix(slot, a), b), 0x5bd1e995));
const t3 = (slot: number, a: number, b: number, c: number): number => finish(mix(mix(mix(mix(slot, a), b), c), 0x5bd1e995));

/**
 * Feature key of role `role` in a match of label `t` of the k-th lexicon of an extraction. Models are
 * trained with one lexicon (k = 0); combining models renumbers the others' keys (SequenceModel.combine).
 */
export function lexiconKey(k: number, t: number, role: number): number {
  return t2(100 + 32 * k + t, role, 0);
}

/** Pad tag for stacked features beyond the sentence ends. */
const STACK_PAD = 255;
/** Features per position that a stacked layer reads from the decoded tags of the layer before it. */
export const STACK_TEMPLATES = 3;

/**
 * Keys of the stacked features at each position (STACK_TEMPLATES per position into `out`): the
 * earlier layer's decoded tag there, with the tag before and with the tag after. CMeEE symptoms
 * contain the entities of the main layer (颅顶头皮 in 颅顶头皮有溃疡), so their bounds follow them.
 */
export function stackKeys(path: Int32Array, n: number, layer: number, out: Int32Array): void {
  for (let i = 0; i < n; i++) {
    const tag = path[i]!;
    out[i * STACK_TEMPLATES] = t3(80, layer, tag, 0);
    out[i * STACK_TEMPLATES + 1] = t3(81, layer, i > 0 ? path[i - 1]! : STACK_PAD, tag);
    out[i * STACK_TEMPLATES + 2] = t3(82, layer, tag, i + 1 < n ? path[i + 1]! : STACK_PAD);
  }
}

/** Every stacked feature key a layer with `tags` tags can produce (so training can index them up front). */
export function allStackKeys(tags: number, layer: number): number[] {
  const keys = new Set<number>();
  const values = [...Array.from({ length: tags }, (_, t) => t), STACK_PAD];
  for (const a of values) {
    for (const b of values) {
      if (a !== STACK_PAD && b !== STACK_PAD) keys.add(t3(80, layer, a, 0));
      if (b !== STACK_PAD) keys.add(t3(81, layer, a, b));
      if (a !== STACK_PAD) keys.add(t3(82, layer, a, b));
    }
  }
  return [...keys];
}

/** Reusable buffers, grown on demand, so extracting a sentence allocates little. */
export class FeatureExtractor {
  private readonly gazetteer: Gazetteer | null;
  private readonly lexicons: Gazetteer[];
  private readonly lexiconStart: number[];
  private readonly wideContext: boolean;
  /** Features per position. */
  readonly slots: number;
  private lexiconRoles = new Uint8Array(0);
  private keys = new Int32Array(256);
  private grams = new Int32Array(256 + 4);
  private classes = new Int32Array(256 + 4);
  private wordPos = new Uint8Array(256);
  private wordHash = new Int32Array(256);
  private wordLen = new Uint8Array(256);
  private wordStart = new Int32Array(256);
  private roles = new Uint8Array(256 * GAZETTEER_TYPES.length);
  features = new Int32Array(0);

  constructor(gazetteer: Gazetteer | null, lexicons: Gazetteer[] = [], wideContext = false) {
    this.gazetteer = gazetteer;
    this.wideContext = wideContext;
    this.lexicons = lexicons;
    this.lexiconStart = [];
    let slots = SHARED_SLOTS;
    for (const lexicon of lexicons) { this.lexiconStart.push(slots); slots += lexicon.types; }
    this.slots = slots;
    this.features = new Int32Array(256 * this.slots);
    this.lexiconRoles = new Uint8Array(256 * this.maxLexiconTypes());
  }

  /** First slot of lexicon k's features. */
  lexiconSlot(k: number): number {
    return this.lexiconStart[k] ?? SHARED_SLOTS;
  }

  private maxLexiconTypes(): number {
    return this.lexicons.reduce((m, l) => Math.max(m, l.types), 0);
  }

  private ensure(n: number): void {
    if (this.keys.length >= n) return;
    const size = Math.max(n, this.keys.length * 2);
    this.keys = new Int32Array(size);
    this.grams = new Int32Array(size + 4);
    this.classes = new Int32Array(size + 4);
    this.wordPos = new Uint8Array(size);
    this.wordHash = new Int32Array(size);
    this.wordLen = new Uint8Array(size);
    this.wordStart = new Int32Array(size);
    this.roles = new Uint8Array(size * GAZETTEER_TYPES.length);
    this.lexiconRoles = new Uint8Array(size * this.maxLexiconTypes());
    this.features = new Int32Array(size * this.slots);
  }

  /**
   * The gazetteer's matches over all of `chars`, for `extract` to read sentence by sentence (and the
   * stage's other readers to share): one scan of the document instead of one per reader.
   */
  gazetteerMatches(chars: readonly string[]): GazetteerMatches | null {
    if (!this.gazetteer) return null;
    const keys = new Int32Array(chars.length);
    for (let i = 0; i < chars.length; i++) keys[i] = foldKey(chars[i]!.codePointAt(0)!);
    return this.gazetteer.matchAll(keys, keys.length);
  }

  /**
   * Fills `features` for the sentence `chars[start, end)` (normalized code points as strings) and
   * returns its length. Position i's features are features[i*slots …]. `matches`, when given, are this
   * extractor's `gazetteerMatches(chars)`.
   */
  extract(chars: readonly string[], start: number, end: number, matches: GazetteerMatches | null = null): number {
    const n = end - start;
    this.ensure(n);
    const { keys, grams, classes, wordPos, wordHash, wordLen, wordStart, roles, lexiconRoles, features } = this;
    const S = this.slots;
    for (let i = 0; i < n; i++) {
      const cp = chars[start + i]!.codePointAt(0)!;
      keys[i] = foldKey(cp);
      grams[i + 2] = gramKey(cp);
      classes[i + 2] = charClass(cp);
    }
    grams[0] = grams[1] = PAD_LEFT;
    grams[n + 2] = grams[n + 3] = PAD_RIGHT;
    classes[0] = classes[1] = 0;
    classes[n + 2] = classes[n + 3] = 9;
    this.segment(chars, start, end);
    const types = GAZETTEER_TYPES.length;
    if (this.gazetteer && matches?.gazetteer === this.gazetteer) this.gazetteer.rolesIn(matches, start, end, roles);
    else if (this.gazetteer) this.gazetteer.roles(keys, n, roles);
    else roles.fill(0, 0, n * types);
    for (let i = 0; i < n; i++) {
      const g = i + 2;
      const c0 = grams[g]!, l1 = grams[g - 1]!, l2 = grams[g - 2]!, r1 = grams[g + 1]!, r2 = grams[g + 2]!;
      const o = i * S;
      const pos = wordPos[i]!;
      features[o] = t1(0, 1);
      features[o + 1] = t1(1, c0);
      features[o + 2] = t1(2, l1);
      features[o + 3] = t1(3, r1);
      features[o + 4] = t1(4, l2);
      features[o + 5] = t1(5, r2);
      features[o + 6] = t2(6, l1, c0);
      features[o + 7] = t2(7, c0, r1);
      features[o + 8] = t2(8, l2, l1);
      features[o + 9] = t2(9, r1, r2);
      features[o + 10] = t2(10, l1, r1);
      features[o + 11] = t3(11, l1, c0, r1);
      features[o + 12] = t3(12, l2, l1, c0);
      features[o + 13] = t3(13, c0, r1, r2);
      features[o + 14] = t3(14, classes[g - 1]!, classes[g]!, classes[g + 1]!);
      features[o + 15] = t2(15, pos, c0);
      features[o + 16] = wordLen[i]! <= 6 ? t2(16, pos, wordHash[i]!) : 0;
      features[o + 17] = t2(17, pos, Math.min(wordLen[i]!, 6));
      features[o + 18] = t3(18, i > 0 ? wordPos[i - 1]! : 9, pos, i + 1 < n ? wordPos[i + 1]! : 9);
      // The words just before and after the jieba word holding this position.
      const ws = wordStart[i]!;
      features[o + 19] = ws > 0 ? t2(19, pos, wordHash[ws - 1]!) : t2(19, pos, PAD_LEFT);
      const we = ws + wordLen[i]!;
      features[o + 20] = we < n ? t2(20, pos, wordHash[we]!) : t2(20, pos, PAD_RIGHT);
      for (let t = 0; t < types; t++) {
        const role = roles[i * types + t]!;
        features[o + BASE_SLOTS + t] = role === 0 ? 0 : t2(BASE_SLOTS + t, role, 0);
      }
    }
    if (this.wideContext) this.wide(n);
    for (let k = 0; k < this.lexicons.length; k++) {
      const lexicon = this.lexicons[k]!;
      const lexTypes = lexicon.types;
      const first = this.lexiconStart[k]!;
      lexicon.roles(keys, n, lexiconRoles);
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < lexTypes; t++) {
          const role = lexiconRoles[i * lexTypes + t]!;
          features[i * S + first + t] = role === 0 ? 0 : lexiconKey(k, t, role);
        }
      }
    }
    return n;
  }

  /**
   * CMeEE symptoms are often whole clauses (颅顶头皮有溃疡) and their bounds follow the words around
   * them: position in the punctuation-delimited clause, the words two away and the word bigram.
   */
  private wide(n: number): void {
    const { classes, wordPos, wordHash, wordLen, wordStart, features } = this;
    const S = this.slots;
    const first = BASE_SLOTS + GAZETTEER_TYPES.length;
    const wordAt = (j: number, pad: number): number => (j >= 0 && j < n ? wordHash[j]! : pad);
    let clauseStart = 0;
    let clauseEnd = 0;
    for (let i = 0; i < n; i++) {
      if (classes[i + 2] === CharClass.Punct) {
        features.fill(0, i * S + first, i * S + first + WIDE_SLOTS);
        clauseStart = i + 1;
        continue;
      }
      if (i >= clauseEnd) {
        clauseEnd = i + 1;
        while (clauseEnd < n && classes[clauseEnd + 2] !== CharClass.Punct) clauseEnd++;
      }
      const o = i * S + first;
      const fromStart = Math.min(i - clauseStart, 4);
      const toEnd = Math.min(clauseEnd - 1 - i, 4);
      const pos = wordPos[i]!;
      const ws = wordStart[i]!;
      const we = ws + wordLen[i]!;
      const prev = ws > 0 ? wordStart[ws - 1]! : -1;
      const next = we < n ? we + wordLen[we]! : n;
      features[o] = t2(first, fromStart, toEnd);
      features[o + 1] = t3(first + 1, fromStart, toEnd, this.grams[i + 2]!);
      features[o + 2] = t2(first + 2, pos, prev > 0 ? wordAt(prev - 1, PAD_LEFT) : PAD_LEFT);
      features[o + 3] = t2(first + 3, pos, wordAt(next, PAD_RIGHT));
      features[o + 4] = t3(first + 4, pos, ws > 0 ? wordHash[ws - 1]! : PAD_LEFT, wordHash[i]!);
    }
  }

  /** jieba word segmentation mapped to code points: position in word (1 B, 2 M, 3 E, 4 S), word hash and length. */
  private segment(chars: readonly string[], start: number, end: number): void {
    const text = chars.slice(start, end).join('');
    const words = segmenter().cut(text, false);
    let i = 0;
    const n = end - start;
    for (const word of words) {
      let len = 0;
      for (let u = 0; u < word.length; u++) {
        const c = word.charCodeAt(u);
        if (c < 0xdc00 || c > 0xdfff) len++;
      }
      if (len === 0) continue;
      let h = 0x3c6ef372;
      for (let k = 0; k < len && i + k < n; k++) h = mix(h, this.grams[i + k + 2]!);
      h = finish(h);
      for (let k = 0; k < len && i + k < n; k++) {
        this.wordPos[i + k] = len === 1 ? 4 : k === 0 ? 1 : k === len - 1 ? 3 : 2;
        this.wordHash[i + k] = h;
        this.wordLen[i + k] = Math.min(len, 255);
        this.wordStart[i + k] = i;
      }
      i += len;
    }
    for (; i < n; i++) { this.wordPos[i] = 4; this.wordHash[i] = 0; this.wordLen[i] = 1; this.wordStart[i] = i; }
  }
}
