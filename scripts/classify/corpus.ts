/**
 * Reads the shared corpora into report-type-labelled documents for the classifier: real report texts
 * (samples.jsonl re-labelled by our own checks, CCKS 2017 discharge records, Yidu-S4K history
 * paragraphs, tumour-attribute imaging reports, general medical sentences as `other`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ReportType } from '../../src/classify/types.js';
import { sharedDataPath } from '../shared-data.js';

export interface LabelledDoc {
  text: string;
  type: ReportType;
  source: string;
  /** Passages of the document that, cut out alone, still read as this type (fragment labels). */
  fragmentParts?: Array<{ text: string; type: ReportType }>;
}

function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Mentions of other exams that are not this report's own modality ("建议结合MR检查", "必要时CT增强").
 * Comparisons with earlier films ("与2012-3-9CT片对比", "参阅2014-8-11日钼靶") name the same modality and are kept.
 */
const CROSS_REFERENCE = /(结合|建议|必要时|参考|进一步|行|做|复查|随访)[^，。；;,\n]{0,8}(超声|彩超|b超|mri?|ct|磁共振|增强|钼靶|胸片|pet|骨扫描)(检查)?/g;

const MODALITY_TERMS: Array<[ReportType, RegExp, number]> = [
  ['ct', /pet|suv|fdg|代谢|放射性(摄取|浓聚|分布)/g, 3],
  ['mammography', /钼靶|(乳|乳腺)[^。；]{0,4}(脂肪型|腺体型|致密型|多量腺体|少量腺体)|乳腺x线/g, 4],
  ['ultrasound', /回声|cdfi|彩色多普勒|探及|血流信号|多普勒|声像/g, 2],
  ['mri', /t1wi|t2wi|flair|dwi|长t1|长t2|短t1|短t2|(?<!血流)信号|磁共振|mri|压脂|弥散|gd-dtpa/g, 2],
  ['endoscopy', /胃镜|肠镜|内镜|进镜|退镜|幽门圆|齿状线|(粘|黏)膜(充血|光滑|红白)/g, 3],
  ['xray', /平片|胸片|\bdr\b|x线|正位|侧位/g, 2],
  ['ct', /\bct\b|ct值|hu\b|密度|平扫|层面|骨窗|肺窗|纵隔窗|薄层|三维重[组建]|\bim\d|\bse\d/g, 1],
];

/** Score of each imaging modality from the report's own vocabulary (cross-references to other exams removed). */
function modalityScores(text: string): Map<ReportType, number> {
  const t = text.toLowerCase().replace(CROSS_REFERENCE, ' ');
  const score = new Map<ReportType, number>();
  for (const [type, pattern, weight] of MODALITY_TERMS) {
    const hits = t.match(pattern)?.length ?? 0;
    if (hits > 0) score.set(type, (score.get(type) ?? 0) + weight * Math.min(hits, 5));
  }
  return score;
}

/**
 * Imaging modality of a report: the best-scoring modality, except that a prior guess stands while its
 * own evidence is at least half the best (the vocabularies overlap: CT and X-ray both describe lung markings).
 */
export function imagingModality(text: string, guess: ReportType | null = null): ReportType | null {
  const score = modalityScores(text);
  let best: ReportType | null = null;
  let bestScore = 0;
  for (const [type, value] of score) if (value > bestScore) { best = type; bestScore = value; }
  if (guess !== null && (score.get(guess) ?? 0) * 2 >= bestScore) return guess;
  return best ?? guess;
}

const SAMPLE_TYPES: Record<string, ReportType> = {
  CT: 'ct', MRI: 'mri', '超声': 'ultrasound', '体检报告': 'checkup', '心电图': 'ecg', '入院记录': 'admission',
  '病理': 'pathology', 'X线/DR/胸片': 'xray', '胃镜/肠镜': 'endoscopy', '钼靶': 'mammography',
};

/** samples.jsonl with each heuristic typeGuess checked against the text; images (text = a path) skipped. */
export function readSamples(): LabelledDoc[] {
  const out: LabelledDoc[] = [];
  for (const row of readJsonl(sharedDataPath('reports', 'samples.jsonl'))) {
    const text = String(row.text ?? '');
    const source = String(row.source ?? '');
    const guess = SAMPLE_TYPES[String(row.typeGuess ?? '')];
    if (!guess || text.length < 4 || /\.(jpe?g|png|bmp|gif|tiff?|pdf)$/i.test(text.trim())) continue;
    let type: ReportType = guess;
    if (source.startsWith('yidu_s4k/subtask2') || source.startsWith('evilcalf_chest_ct')) {
      // Exam reports: the modality words in the text decide; the guess stands when they are silent.
      type = imagingModality(text, guess) ?? guess;
    } else if (source.startsWith('yidu_s4k/subtask1')) {
      // History paragraphs; the ones that are a pathology result on their own stay pathology.
      type = /^[，,]?(术后)?病理|^病理/.test(text.trim()) && !/入院|就诊|患者/.test(text.slice(0, 30)) ? 'pathology' : 'admission';
    }
    out.push({ text, type, source: `samples:${source}` });
  }
  return out;
}

const CCKS_SECTIONS = ['一般项目', '病史特点', '诊疗经过', '出院情况'] as const;
/** Fragment type of each CCKS section: the history reads as an admission note, the course and outcome as discharge. */
const CCKS_FRAGMENT_TYPES: Record<(typeof CCKS_SECTIONS)[number], ReportType> = {
  '一般项目': 'admission', '病史特点': 'admission', '诊疗经过': 'discharge', '出院情况': 'discharge',
};

/** CCKS 2017: each record's four sections joined with headers → a discharge summary. */
export function readCcksDischarge(): LabelledDoc[] {
  const root = sharedDataPath('ner', 'ccks2017');
  const ids = readdirSync(`${root}/出院情况`).map((f) => /-(\d+)\.txtoriginal\.txt$/.exec(f)?.[1]).filter((x): x is string => !!x);
  const out: LabelledDoc[] = [];
  for (const id of ids) {
    const parts: Array<{ text: string; type: ReportType }> = [];
    const lines: string[] = [];
    for (const section of CCKS_SECTIONS) {
      let body = '';
      try { body = readFileSync(`${root}/${section}/${section}-${id}.txtoriginal.txt`, 'utf8').trim(); } catch { continue; }
      if (!body) continue;
      lines.push(`${section}：${body}`);
      parts.push({ text: body, type: CCKS_FRAGMENT_TYPES[section] });
    }
    if (lines.length >= 2) out.push({ text: lines.join('\n'), type: 'discharge', source: 'ccks2017', fragmentParts: parts });
  }
  return out;
}

/** Yidu-S4K subtask 1 training paragraphs: present-illness histories → admission. */
export function readYiduHistories(): LabelledDoc[] {
  return readJsonl(sharedDataPath('ner', 'yidu-s4k', 'train.jsonl'))
    .map((row) => String(row.text ?? row.originalText ?? '').replace(/^[，,]+/, ''))
    .filter((text) => text.length >= 20)
    .map((text) => ({ text, type: 'admission' as ReportType, source: 'yidu-s4k-train' }));
}

/** Tumour-attribute imaging reports (findings TAB impression), modality from their vocabulary. */
export function readTumourReports(): LabelledDoc[] {
  const out: LabelledDoc[] = [];
  for (const row of readJsonl(sharedDataPath('reports', 'tumour-attributes', 'train.jsonl'))) {
    const raw = String(row.text ?? '');
    const type = imagingModality(raw);
    if (!type) continue;
    const [findings = '', impression = ''] = raw.split('\t');
    out.push({
      text: `${impression.trim()}\n${findings.trim()}`.trim(),
      type,
      source: 'tumour-attributes',
      fragmentParts: [{ text: findings, type }, { text: impression, type }],
    });
  }
  return out;
}

/** General medical sentences (encyclopedic text, patient questions) → other. */
export function readOtherTexts(limit: number): LabelledDoc[] {
  const out: LabelledDoc[] = [];
  const cmeee = readJsonl(sharedDataPath('ner', 'cmeee', 'train.jsonl'));
  for (let i = 0; i < cmeee.length && out.length < limit / 2; i += 7) {
    const text = String(cmeee[i]!.text ?? '');
    if (text.length >= 15) out.push({ text, type: 'other', source: 'cmeee' });
  }
  for (const split of ['train', 'dev']) {
    for (const row of readJsonl(sharedDataPath('ner', 'cmedqaner', `${split}.json`))) {
      const text = String(row.text ?? '');
      if (text.length >= 10 && out.length < limit) out.push({ text, type: 'other', source: 'cmedqaner' });
    }
  }
  return out;
}
