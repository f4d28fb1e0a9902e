import { MedstructError } from '../errors.js';
import { getLinker } from '../linking/index.js';
import { detectPhiUtf16, type DetectOptions } from './detect.js';
import { deidResources } from './resources.js';
import { SurrogateFactory } from './surrogate.js';
import { categoryOf, PHI_TYPES, type DeidMode, type DeidOptions, type PhiSpan, type PhiType } from './types.js';

const MASK_CHAR = '＊';

/** The PHI types selected by mask flags; no flags means the default policy (everything that identifies a person). */
export function resolveMaskFlags(flags: readonly string[] | undefined): Set<PhiType> {
  const policy = deidResources().policy;
  if (!flags || flags.length === 0) return new Set(policy.default);
  const out = new Set<PhiType>();
  for (const raw of flags) {
    const flag = raw.trim();
    if (flag === '') continue;
    const types = policy.flags[flag] ?? ((PHI_TYPES as readonly string[]).includes(flag) ? [flag as PhiType] : undefined);
    if (!types) {
      const known = [...Object.keys(policy.flags), ...PHI_TYPES].join(', ');
      throw new MedstructError('INVALID_ARGUMENT', `Unknown mask flag "${flag}"; use one of: ${known}`);
    }
    for (const t of types) out.add(t);
  }
  return out;
}

/** UTF-16 offset → code-point offset for every position of `text` (length + 1 entries). */
function codePointIndex(text: string): Int32Array {
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) map[++i] = cp;
    cp++;
  }
  map[text.length] = cp;
  return map;
}

/** Detects PHI in `text` (code-point offsets) without changing it; `replacement` is left empty. */
export function detectPhi(text: string, options: DeidOptions & DetectOptions = {}): PhiSpan[] {
  const selected = resolveMaskFlags(options.mask);
  const hospitalScore = options.hospitalScore ?? (options.knowledgeGraph ? (name: string) => getLinker().lookupHospital(name)?.score ?? 0 : undefined);
  const candidates = detectPhiUtf16(text, { personSpans: options.personSpans, hospitalScore });
  const cp = codePointIndex(text);
  return candidates
    .filter((c) => selected.has(c.type))
    .map((c) => ({
      start: cp[c.start]!,
      end: cp[c.end]!,
      type: c.type,
      category: categoryOf(c.type),
      text: text.slice(c.start, c.end),
      replacement: '',
      source: c.source,
    }));
}

/** The replacement text for one span in `mode`. */
export function replacementFor(span: PhiSpan, mode: DeidMode, surrogates: SurrogateFactory): string {
  if (mode === 'mask') return MASK_CHAR.repeat(Array.from(span.text).length);
  if (mode === 'tag') return `[${deidResources().policy.types[span.type]}]`;
  return surrogates.surrogate(span.type, span.text);
}

/**
 * Removes PHI from `text`. `mask` replaces each character with ＊, `tag` writes the type ([姓名]),
 * `surrogate` writes consistent fake values of the same shape. Spans are in the input's code points.
 */
export function deidentifyText(text: string, options: DeidOptions & DetectOptions = {}): { text: string; spans: PhiSpan[] } {
  if (typeof text !== 'string') throw new MedstructError('INVALID_ARGUMENT', 'deidentifyText needs a string');
  const mode = options.mode ?? 'mask';
  if (mode !== 'mask' && mode !== 'tag' && mode !== 'surrogate') throw new MedstructError('INVALID_ARGUMENT', `Unknown de-identification mode "${String(mode)}"`);
  const spans = detectPhi(text, options);
  const surrogates = new SurrogateFactory(options.seed);
  const chars = Array.from(text);
  let out = '';
  let at = 0;
  for (const span of spans) {
    span.replacement = replacementFor(span, mode, surrogates);
    out += chars.slice(at, span.start).join('') + span.replacement;
    at = span.end;
  }
  out += chars.slice(at).join('');
  return { text: out, spans };
}
