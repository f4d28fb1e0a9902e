/**
 * What each scheme's model decodes. A layer is one BIOES tagger; entities of different layers may
 * nest. CMeEE nests only inside symptoms (sym contains bod, ite, pro, dis, …), so its symptoms get a
 * layer of their own and everything else a second one.
 */
export interface LayerSpec {
  name: string;
  labels: string[];
  /** Also reads the decoded tags of the layer before it (stacked features, see `stackKeys`). */
  stacked?: boolean;
}

export interface ModelSpec {
  layers: LayerSpec[];
  epochs: number;
  /** Features seen fewer times in training are dropped. */
  minCount: number;
  /** Averaged weights of smaller magnitude are dropped (they grow with the number of updates, so with the corpus). */
  prune: number;
  /** Training runs over differently shuffled sentences, their weights averaged (default 1). */
  runs?: number;
  /** Fill the wide-context templates (FeatureExtractor); stored in the model header. */
  wideContext?: boolean;
}

export const NER_MODELS: Record<string, ModelSpec> = {
  yidu: { layers: [{ name: 'main', labels: ['疾病和诊断', '影像检查', '实验室检验', '手术', '药物', '解剖部位'] }], epochs: 12, minCount: 1, prune: 0.5, runs: 3 },
  cmeee: {
    layers: [
      { name: 'main', labels: ['dis', 'pro', 'equ', 'dru', 'ite', 'bod', 'dep', 'mic'] },
      { name: 'symptom', labels: ['sym'], stacked: true },
    ],
    epochs: 12,
    minCount: 2,
    prune: 2,
    runs: 3,
    wideContext: true,
  },
  ccks2017: { layers: [{ name: 'main', labels: ['身体部位', '症状和体征', '检查和检验', '治疗', '疾病和诊断'] }], epochs: 12, minCount: 1, prune: 0.5 },
  cmedqa: { layers: [{ name: 'main', labels: ['disease', 'symptom', 'body', 'treatment', 'test', 'drug', 'crowd', 'time', 'department', 'feature', 'physiology'] }], epochs: 12, minCount: 1, prune: 0.5 },
};
