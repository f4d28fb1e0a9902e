import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { splitDiagnoses } from './clinical.js';
import { alternation, fieldValue, matchAll, sectionRegions, wholeRegion, type Region, type Source } from './source.js';

interface EcgSchema {
  measurements: Record<string, { pattern: string; unit: string }>;
  rhythms: string[];
  combinedQtPattern: string;
  findings: string[];
  rateAfterRhythm: string;
}

const schema = readJsonResource<EcgSchema>('fields', 'ecg.json');
const MEASURE_RES = Object.entries(schema.measurements).map(([name, m]) => ({
  name,
  unit: m.unit,
  re: new RegExp(`(?<![A-Za-z])${m.pattern}\\s*[:：=]?\\s*(?:约|为)?\\s*(?<value>[+-]?\\d+(?:\\.\\d+)?)\\s*(?<unit>ms|mV|mv|bpm|次/分钟?|°|度|s)?`, 'dg'),
}));
const COMBINED_QT_RE = new RegExp(schema.combinedQtPattern, 'dg');
const FINDING_RE = new RegExp(`(?:${alternation(schema.findings)})`, 'g');
const RATE_AFTER_RHYTHM_RE = new RegExp(schema.rateAfterRhythm, 'dg');
const RHYTHM_RE = new RegExp(`(?:${alternation(schema.rhythms)})`, 'g');
const CONCLUSION_ANCHOR = /(?:心电图诊断|诊断|结论|印象|提示)\s*[:：]/g;

export function extractEcg(src: Source): Record<string, unknown> {
  const whole = wholeRegion(src);
  const out: Record<string, unknown> = {};
  for (const { name, unit, re } of MEASURE_RES) {
    out[name] = null;
    for (const m of matchAll(src, whole, re)) {
      const v = m.indices!.groups!.value!;
      let value = Number(m.groups!.value);
      // Intervals printed in seconds (0.16s) are converted to ms.
      if (unit === 'ms' && (m.groups!.unit === 's' || value < 2)) value = Math.round(value * 1000);
      out[name] = { ...fieldValue(src, whole.start + v[0], m.pos + m[0].length, value, { start: m.pos, end: m.pos + m[0].length }), unit };
      break;
    }
  }
  // QT/QTc 320/436ms prints both intervals under one label.
  for (const m of matchAll(src, whole, COMBINED_QT_RE)) {
    const seconds = m.groups!.unit === 's';
    for (const key of ['qt', 'qtc'] as const) {
      const g = m.indices!.groups![key]!;
      const value = Number(m.groups![key]) * (seconds ? 1000 : 1);
      out[key] = { ...fieldValue(src, g[0], g[1], Math.round(value), { start: m.pos, end: m.pos + m[0].length }), unit: 'ms' };
    }
    break;
  }
  // 窦性心动过缓(58次/分): the rate printed with the rhythm.
  if (out.heartRate === null) {
    for (const m of matchAll(src, whole, RATE_AFTER_RHYTHM_RE)) {
      const v = m.indices!.groups!.value!;
      out.heartRate = { ...fieldValue(src, v[0], m.pos + m[0].length, Number(m.groups!.value), { start: m.pos, end: m.pos + m[0].length }), unit: 'bpm' };
      break;
    }
  }
  let conclusionRegions: Region[] = sectionRegions(src, 'impression', 'conclusion', 'diagnosis');
  if (conclusionRegions.length === 0) {
    for (const m of matchAll(src, whole, CONCLUSION_ANCHOR)) conclusionRegions = [{ start: m.pos + m[0].length, end: src.text.length }];
  }
  const conclusions = conclusionRegions.flatMap((r) => splitDiagnoses(src, r, false)).map((d) => d.text);
  let rhythm: FieldValue | null = null;
  for (const region of [...conclusionRegions, whole]) {
    for (const m of matchAll(src, region, RHYTHM_RE)) { rhythm = fieldValue(src, m.pos, m.pos + m[0].length, m[0], region); break; }
    if (rhythm) break;
  }
  // Coded findings inside the conclusions, which checkup ECGs often print run together (窦性心动过缓ST-T改变…).
  const findings = (conclusionRegions.length > 0 ? conclusionRegions : [whole]).flatMap((r) => [...matchAll(src, r, FINDING_RE)].map((m) => fieldValue(src, m.pos, m.pos + m[0].length, m[0], r)));
  return { rhythm, ...out, conclusions, findings };
}
