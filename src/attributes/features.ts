import type { Assertion } from '../document/types.js';
import type { SentenceContext } from './context.js';

export const LEFT_WINDOW = 8;
export const RIGHT_WINDOW = 6;
const QUESTION = /[?？吗呢么]|有没有|是不是|有无|会不会/;

/**
 * Context features of a finding at normalized [start, end) for the certainty model: the rules' verdict
 * and cue, the characters and character pairs just before and after it in its clause, and whether the
 * sentence asks a question. Other findings' characters are masked so lists read alike.
 */
export function contextFeatures(chars: readonly string[], ctx: SentenceContext, start: number, end: number, rules: Assertion): string[] {
  const cue = rules.triggers.find((t) => t.axis === 'certainty');
  const f = [`rule=${rules.certainty}`, `cue=${cue?.text ?? ''}`, `cond=${rules.conditional}`];
  const at = (i: number): string => (ctx.covered[i - ctx.start] && (i < start || i >= end) ? '#' : chars[i]!);
  const left: string[] = [];
  for (let i = start - 1; i >= ctx.start && left.length < LEFT_WINDOW; i--) {
    const ch = at(i);
    if (ch === ',' || ch === '。') break;
    left.unshift(ch);
  }
  const right: string[] = [];
  for (let i = end; i < ctx.end && right.length < RIGHT_WINDOW; i++) {
    const ch = at(i);
    if (ch === ',' || ch === '。') break;
    right.push(ch);
  }
  for (let k = 0; k < left.length; k++) {
    const distance = left.length - k;
    f.push(`L:${left[k]}`);
    if (distance <= 2) f.push(`L${distance}:${left[k]}`);
    if (k + 1 < left.length) f.push(`LL:${left[k]}${left[k + 1]}`);
  }
  for (let k = 0; k < right.length; k++) {
    f.push(`R:${right[k]}`);
    if (k < 2) f.push(`R${k + 1}:${right[k]}`);
    if (k + 1 < right.length) f.push(`RR:${right[k]}${right[k + 1]}`);
  }
  ctx.question ??= QUESTION.test(chars.slice(ctx.start, ctx.end).join(''));
  if (ctx.question) f.push('question');
  if (left.length === 0) f.push('clause-initial');
  return f;
}
