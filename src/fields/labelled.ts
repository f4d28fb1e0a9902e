import type { FieldValue } from '../document/types.js';
import { alternation, fieldValue, matchAll, type Region, type Source } from './source.js';
import { normalizeAge, normalizeSex, normalizeTime } from './normalize.js';

export type LabelKind = 'name' | 'sex' | 'age' | 'time' | 'token' | 'text';

export interface LabelledFieldSpec {
  labels: string[];
  kind: LabelKind;
}

export type LabelledSchema = Record<string, LabelledFieldSpec>;

const VALUE_PATTERNS: Record<LabelKind, string> = {
  name: '[\\u4e00-\\u9fa5·]{1,6}|[A-Za-z][A-Za-z .]{1,30}',
  sex: '男性?|女性?|[MF](?![A-Za-z])',
  age: '\\d{1,3}(?:\\.\\d)?\\s*(?:岁|Y|y|个月|月|天|周|日)?(?:\\s*\\d{1,2}\\s*(?:个月|月|天))?',
  time: '\\d{4}\\s*[-/.年]\\s*\\d{1,2}\\s*[-/.月]\\s*\\d{1,2}\\s*日?(?:\\s*\\d{1,2}\\s*[:时]\\s*\\d{1,2}(?:\\s*[:分]\\s*\\d{1,2})?\\s*秒?)?',
  token: '[^\\s,，;；]+',
  text: '[^\\n;；]+',
};

const NORMALIZERS: Partial<Record<LabelKind, (text: string) => string | number | null>> = {
  sex: normalizeSex,
  age: normalizeAge,
  time: normalizeTime,
};

interface Compiled {
  field: string;
  spec: LabelledFieldSpec;
  re: RegExp;
}

interface CompiledSchema { fields: Compiled[]; anyLabel: RegExp; anyLabelBare: RegExp }

const compiledCache = new WeakMap<LabelledSchema, CompiledSchema>();

function compile(schema: LabelledSchema, stopLabels: readonly string[]): CompiledSchema {
  const cached = compiledCache.get(schema);
  if (cached) return cached;
  const fields = Object.entries(schema).map(([field, spec]) => {
    // A colon is required except for sex and age, which sheets often print as 性别 男 / 年龄 45岁.
    const colon = spec.kind === 'sex' || spec.kind === 'age' ? '\\s*[:：]?\\s*' : '\\s*[:：]\\s*';
    // Free-text labels are often the tail of a longer one (入院诊断 holds 诊断): they must start a word.
    const guard = spec.kind === 'sex' || spec.kind === 'age' || spec.kind === 'text' ? '(?<![\\u4e00-\\u9fa5])' : '';
    const re = new RegExp(`${guard}(?:${alternation(spec.labels)})${colon}(?<value>${VALUE_PATTERNS[spec.kind]})`, 'dg');
    return { field, spec, re };
  });
  const anyLabel = new RegExp(`(?:${alternation(stopLabels)})\\s*[:：]`);
  const anyLabelBare = new RegExp(`(?:${alternation(stopLabels)})`);
  const out = { fields, anyLabel, anyLabelBare };
  compiledCache.set(schema, out);
  return out;
}

/**
 * Reads `LABEL：value` fields (姓名：张三 性别：男 …) from a region. The first occurrence of each field wins;
 * a value runs until whitespace or the next known label, so 姓名:张三性别:男 still splits.
 */
export function extractLabelled(src: Source, region: Region, schema: LabelledSchema, stopLabels: readonly string[]): Record<string, FieldValue> {
  const { fields, anyLabel, anyLabelBare } = compile(schema, stopLabels);
  const out: Record<string, FieldValue> = {};
  for (const { field, spec, re } of fields) {
    for (const m of matchAll(src, region, re)) {
      const pair = m.indices?.groups?.value;
      if (!pair) continue;
      let start = region.start + pair[0];
      let end = region.start + pair[1];
      const raw = src.text.slice(start, end);
      // Names run into the next label even without its colon (姓名:张三性别 男).
      const stop = raw.search(spec.kind === 'name' ? anyLabelBare : anyLabel);
      if (stop === 0) continue;
      if (stop > 0) end = start + stop;
      const text = src.text.slice(start, end).trim();
      if (text === '') continue;
      start = src.text.indexOf(text, start);
      end = start + text.length;
      const normalize = NORMALIZERS[spec.kind];
      out[field] = fieldValue(src, start, end, normalize ? normalize(text) : text, { start: m.pos, end });
      break;
    }
  }
  return out;
}
