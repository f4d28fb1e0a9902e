import type { FieldValue, Section } from '../document/types.js';
import { readJsonResource } from '../resources.js';
import { extractLabItems, type LabItem } from './lab.js';
import { fieldValue, lines, sectionBody, sectionValue, trimSpan, u16Of, wholeRegion, type Region, type Source } from './source.js';

const schema = readJsonResource<{ adviceAnchor: string; overallTitle: string; examTitle: string }>('fields', 'checkup.json');
const ADVICE_RE = new RegExp(`(?:${schema.adviceAnchor})`);
const OVERALL_RE = new RegExp(schema.overallTitle);
const EXAM_TITLE_RE = new RegExp(schema.examTitle);
const ITEM_START = /(?:^|[\n;；。\s])(?:\d{1,2}\s*[.、．)）]|[(（]\d{1,2}[)）]|[①②③④⑤⑥⑦⑧⑨⑩]|【)/g;

/** One examination's own conclusion (腹部彩超: 脂肪肝, 心电图: 窦性心律) within the checkup. */
export interface ExamConclusion {
  /** The examination's heading line above its findings, when there is one. */
  exam: FieldValue | null;
  conclusion: FieldValue;
}

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

function findingsOf(src: Source, regions: Region[]): CheckupFinding[] {
  const findings: CheckupFinding[] = [];
  for (const region of regions) {
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
  return findings;
}

/** Lines above an examination's conclusion (or its findings) searched for its heading. */
const HEADING_LOOKBACK = 3;

const isExamTitle = (text: string): boolean => EXAM_TITLE_RE.test(text.trim());

/**
 * An examination's conclusion: its section's lines, less a title-like last line, which is the next
 * examination's heading (心电图) that the sections stage leaves inside the body; this examination's own
 * heading is the nearest title-like line above the section (above its 检查所见 when it has one).
 */
function examConclusion(src: Source, section: Section, before: Region): { exam: ExamConclusion; end: number } | null {
  const body = sectionBody(src, section);
  const bodyLines = lines(src, body);
  if (bodyLines.length === 0) return null;
  const last = bodyLines[bodyLines.length - 1]!;
  const nextHeading = bodyLines.length > 1 && isExamTitle(src.text.slice(last.start, last.end));
  const end = bodyLines[bodyLines.length - (nextHeading ? 2 : 1)]!.end;
  const t = trimSpan(src.text, bodyLines[0]!.start, end);
  const conclusion = fieldValue(src, t.start, t.end, src.text.slice(t.start, t.end).replace(/\s+/g, ' ').replace(/[。.]$/, ''));
  const above = lines(src, before).slice(-HEADING_LOOKBACK).reverse().find((line) => isExamTitle(src.text.slice(line.start, line.end)));
  return { exam: { exam: above ? fieldValue(src, above.start, above.end, src.text.slice(above.start, above.end).trim()) : null, conclusion }, end };
}

/**
 * Checkup report fields, across all its pages: the overall conclusion (总检结论) as numbered findings
 * with their advice, each examination's own conclusion, the lab items of every table (with a range or
 * a flag, so 身高 and 血压 lines stay out) and the overall advice. Without an overall conclusion
 * section, every conclusion section's items are findings.
 */
export function extractCheckup(src: Source): Record<string, unknown> {
  const conclusions = src.doc.sections.filter((s) => ['conclusion', 'impression', 'diagnosis'].includes(s.key));
  const overall = conclusions.filter((s) => s.title !== null && OVERALL_RE.test(s.title));
  const regionsOf = (sections: Section[]): Region[] => sections.map((s) => sectionBody(src, s)).filter((r) => r.end > r.start);
  let findings: CheckupFinding[];
  const exams: ExamConclusion[] = [];
  if (overall.length > 0) {
    findings = findingsOf(src, regionsOf(overall));
    // An examination's heading lies a few lines above its conclusion, after the previous examination's.
    let from = 0;
    for (const section of conclusions) {
      if (overall.includes(section)) continue;
      const found = examConclusion(src, section, { start: from, end: u16Of(src, section.header?.start ?? section.start) });
      if (!found) continue;
      exams.push(found.exam);
      from = found.end;
    }
  } else {
    const regions = regionsOf(conclusions);
    findings = findingsOf(src, regions.length > 0 ? regions : [wholeRegion(src)]);
  }
  const labItems: LabItem[] = extractLabItems(src, [wholeRegion(src)]).filter((i) => i.range !== null || i.flag !== null);
  return { findings, exams, labItems, abnormalCount: labItems.filter((i) => i.abnormal === true).length, advice: sectionValue(src, 'advice') };
}
