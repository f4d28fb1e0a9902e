import { setEnrichers } from '../src/fields/index.js';

/** Field tests without the knowledge graph: only 白细胞计数 is a known analyte, and nothing links. */
export function useStubEnrichers(): void {
  setEnrichers({
    lookupLabAnalyte: (name) => (name === '白细胞计数' ? { standardName: '白细胞计数', code: 'WBC', abbreviation: 'WBC' } : null),
    linkDisease: () => [],
    linkDiagnoses: () => [],
    linkProcedure: () => [],
  });
}
