import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MedDocument } from '../src/document/document.js';
import { sourceOf } from '../src/fields/source.js';
import { extractTumour } from '../src/fields/tumour.js';
import {
  binaryColumns, FeatureSpace, flatProbability, flattenTrees, impressionRegions, rowsOf, siteStackRows, tumourCandidates, type Candidate, type TumourModel,
} from '../src/fields/tumour-model.js';
import { boostedProbability, type BoostedTrees } from '../src/linking/boost.js';
import { modelPath } from '../src/resources.js';

const LUNG = `胸部CT平扫+增强：左肺上叶尖后段见一不规则软组织密度肿块，大小约4.2CM×3.6CM，边缘分叶，可见毛刺及胸膜凹陷征，增强扫描呈不均匀强化。左肺门及纵隔内4L、5区、7区见多发肿大淋巴结，大者短径约1.8CM。双肺未见明确结节。肝实质内见多发低密度灶，大者直径约2.1CM，增强扫描呈环形强化。胸椎多个椎体及右侧第5肋骨见溶骨性骨质破坏。
诊断意见：1.左肺上叶癌，左肺门及纵隔淋巴结转移；2.肝多发转移；3.多发骨转移。`;

const BREAST = `右乳术后缺如，术区未见异常强化。右侧腋窝结构紊乱。双肺见多发大小不等结节灶，大者直径约1.5CM，边缘清晰。纵隔内未见肿大淋巴结。肝内见数个低密度灶，大者直径约1.2CM，增强后边缘强化。
1.结合临床，右乳癌术后；2.双肺多发转移；3.肝转移。`;

const NORMAL = '双肺纹理清晰，未见结节及肿块，纵隔内未见肿大淋巴结，双侧胸腔未见积液，所示骨质未见破坏。诊断意见：胸部CT平扫未见明显异常。';

const read = (text: string) => {
  const doc = new MedDocument(text);
  return { doc, tumour: extractTumour(sourceOf(doc)) };
};
const values = (leaves: Array<{ value: string }>): string[] => leaves.map((v) => v.value).sort();

describe('tumour attributes (learned scorer)', () => {
  it('reads a lung cancer with its lobe, the mass size and the metastasis list as the report words them', () => {
    const { tumour } = read(LUNG);
    expect(values(tumour.primarySite)).toEqual(['左肺上叶']);
    expect(values(tumour.primarySize)).toEqual(['4.2CM×3.6CM']);
    expect(values(tumour.metastasisSites)).toEqual(expect.arrayContaining(['左肺门及纵隔淋巴结', '肝', '骨']));
    expect(values(tumour.metastasisSites)).not.toContain('左肺上叶');
  });

  it('reads a breast cancer after mastectomy: the primary from the impression, no size, lung and liver metastases', () => {
    const { tumour } = read(BREAST);
    expect(values(tumour.primarySite)).toEqual(['右乳']);
    expect(tumour.primarySize).toEqual([]);
    expect(values(tumour.metastasisSites)).toEqual(['双肺', '肝']);
  });

  it('finds nothing in a normal report whose sites are all negated', () => {
    const { tumour } = read(NORMAL);
    expect(tumour).toEqual({ primarySite: [], primarySize: [], metastasisSites: [] });
  });

  it('gives leaves whose offsets point at the original text (full-width punctuation kept) with the clause as evidence', () => {
    const { doc, tumour } = read(LUNG);
    for (const leaf of [...tumour.primarySite, ...tumour.primarySize, ...tumour.metastasisSites]) {
      expect(doc.slice(leaf.start, leaf.end)).toBe(leaf.value);
      expect(leaf.normalized).toBe(leaf.value);
      expect(leaf.src).toContain(leaf.value);
    }
    expect(tumour.primarySize[0]!.src).toBe('大小约4.2CM×3.6CM');
  });

  it('finds the impression as the numbered list, before or after the findings', () => {
    const before = '1.右肺癌,纵隔淋巴结转移 2.肝囊肿。右肺上叶见软组织肿块。';
    expect(impressionRegions(before).map((r) => before.slice(r.start, r.end))).toEqual(['1.右肺癌,纵隔淋巴结转移 2.肝囊肿']);
    const after = '右肺上叶见软组织肿块。\t右肺癌。';
    expect(impressionRegions(after).map((r) => after.slice(r.start, r.end))).toEqual(['右肺癌。']);
  });

  it('shows the trees each site candidate against the report\'s others, the whole list against its parts', () => {
    const text = '右肺门及纵隔淋巴结转移';
    const space = new FeatureSpace(['lexM', 'lexP', 'node']);
    const candidate = (value: string): Candidate => {
      const start = text.indexOf(value);
      return { value, spans: [{ start, end: start + value.length }], features: space.ids(['lexM', 'node']) };
    };
    const logit = (p: number): number => Math.log(p / (1 - p));
    const [whole, part] = rowsOf(siteStackRows([candidate('右肺门及纵隔淋巴结'), candidate('纵隔淋巴结')], [0.1, 0.2], [0.9, 0.5], [], binaryColumns(['lexM', 'lexP'], space)));
    expect(whole![3]).toBe(0); // the best metastasis logit of the report
    expect(part![5]).toBe(1); // ranked second for metastasis
    expect(part![10]).toBeCloseTo(logit(0.9) - logit(0.5)); // the list containing it scores higher
    expect(whole![12]).toBeCloseTo(logit(0.5) - logit(0.9)); // the part inside it scores lower
    expect([...whole!.slice(13)]).toEqual([1, 0]);
  });

  it('makes each part of an enumerated list of ribs and vertebrae a candidate, the last one with its bone', () => {
    const text = '胸部CT平扫：右侧第2、8肋骨及T3、T7、T12椎体见溶骨性骨质破坏，L2、3、5椎体骨质密度不均，左侧第4、5、7后肋骨质密度增高。\n诊断意见：1.右肺癌；2.多发骨转移。';
    const { candidates } = JSON.parse(readFileSync(modelPath('tumour', 'model.json'), 'utf8')) as TumourModel;
    const none = new Set<string>();
    const { sites } = tumourCandidates(text, candidates, { primary: none, metastasis: none }, { primarySite: none, primarySize: none, metastasisSites: none }, new FeatureSpace());
    const found = sites.map((c) => c.value);
    expect(found).toEqual(expect.arrayContaining(['右侧第2', '8肋骨', 'T3', 'T7', 'T12椎体', 'L2', '3', '5椎体', '左侧第4', '5', '7后肋骨']));
    // Where a part occurs, the candidate points at it: 3 of L2、3、5椎体.
    const three = sites.find((c) => c.value === '3')!;
    expect(three.spans.map((s) => text.slice(s.start - 3, s.end + 1))).toEqual(['L2、3、']);
    // Numbers outside a list of bones stay no site.
    expect(found).not.toContain('2');
  });

  it('keeps a trained model\'s features only, each once per candidate, in the order first seen', () => {
    const space = new FeatureSpace(['lexM', 'node']);
    space.open();
    for (const f of ['node', 'R1=转', 'node', 'lexM']) space.add(f);
    expect(space.close()).toEqual([space.id('node'), space.id('lexM')]);
    expect(space.id('R1=转')).toBe(-1);
  });

  it('scores with the flattened trees exactly as the trees do, stopping early only below the floor', () => {
    const trees: BoostedTrees = { depth: 1, base: -1, trees: [{ feature: [0], threshold: [0.5], leaf: [-2, 1] }, { feature: [1], threshold: [0], leaf: [-1, 0.5] }] };
    const flat = flattenTrees(trees);
    const rows = new Float64Array([1, 1, 0, 0]);
    expect(flatProbability(flat, rows, 0)).toBe(boostedProbability(trees, rows.subarray(0, 2)));
    expect(flatProbability(flat, rows, 2)).toBe(boostedProbability(trees, rows.subarray(2, 4)));
    expect(flatProbability(flat, rows, 0, 0.5)).toBe(boostedProbability(trees, rows.subarray(0, 2)));
    // The second row has -3 after the first tree, and the second adds at most 0.5: it cannot reach 0.5.
    expect(flatProbability(flat, rows, 2, 0.5)).toBeLessThan(0.5);
  });
});
