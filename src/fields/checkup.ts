import type { FieldValue } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { fieldValue, sectionRegions, sectionValue, trimSpan, wholeRegion, type Region, type Source } from './source.js';

const schema = readJsonResource<{ adviceAnchor: string }>('fields', 'checkup.json');
const ADVICE_RE = new RegExp(`(?:${schema.adviceAnchor})`);
const ITEM_START = /(?:^|[\n;；。\s])(?:\d{1,2}\s*[.、．)）]|[(（]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩]|【)/g;

export interface CheckupFinding {
  text: FieldValue;
  finding: FieldValue;
  advice: FieldValue | null;
}

/** Numbered conclusion items (1.脂肪肝 建议低脂饮食…), or one item per line when unnumbered. */
function items(src: Source, region: Region): Region[] {
  const text = src.text.slice(region.start, region.end);
  const starts: number[] = [];
  for (let m = ITEM_START.exec(text); m !== null; m = ITEM_START.exec(text)) starts.push(m.index);
  ITEM_START.lastIndex = 0;
  if (starts.length === 0) return text.split(/\n/).reduce<Region[]>((acc, line) => {
    const start = region.start + (acc.length === 0 ? 0 : acc[acc.length - 1]!.end - region.start + 1);
    acc.push({ start, end: start + line.length });
    return acc;
  }, []);
  starts.push(text.length);
  const out: Region[] = [];
  if (starts[0]! > 0 && text.slice(0, starts[0]).trim() !== '') out.push({ start: region.start, end: region.start + starts[0]! });
  for (let k = 0; k + 1 < starts.length; k++) out.push({ start: region.start + starts[k]!, end: region.start + starts[k + 1]! });
  return out;
}

export function extractCheckup(src: Source): Record<string, unknown> {
  const regions = sectionRegions(src, 'conclusion', 'impression', 'diagnosis');
  const findings: CheckupFinding[] = [];
  for (const region of regions.length > 0 ? regions : [wholeRegion(src)]) {
    for (const item of items(src, region)) {
      const lead = /^[\s\n;；。]*(?:\d{1,2}\s*[.、．)）]|[(（]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩]|【)?/.exec(src.text.slice(item.start, item.end));
      const t = trimSpan(src.text, item.start + (lead ? lead[0].length : 0), item.end);
      if (t.end <= t.start) continue;
      const body = src.text.slice(t.start, t.end);
      const adviceAt = body.search(ADVICE_RE);
      const findingEnd = adviceAt > 0 ? t.start + adviceAt : t.end;
      const finding = trimSpan(src.text, t.start, findingEnd);
      if (finding.end <= finding.start) continue;
      findings.push({
        text: fieldValue(src, t.start, t.end, null, t),
        finding: fieldValue(src, finding.start, finding.end, src.text.slice(finding.start, finding.end).replace(/[】]/g, '').trim(), t),
        advice: adviceAt > 0 ? fieldValue(src, t.start + adviceAt, t.end, null, t) : null,
      });
    }
  }
  return { findings, advice: sectionValue(src, 'advice') };
}
