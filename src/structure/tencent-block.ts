import type { MedDocument } from '../document/document.js';

/** The smallest `Index` start anywhere inside an MRS item: where its evidence begins in the text. */
function firstIndex(value: unknown): number | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    let first: number | null = null;
    for (const item of value) {
      const start = firstIndex(item);
      if (start !== null && (first === null || start < first)) first = start;
    }
    return first;
  }
  const record = value as Record<string, unknown>;
  const index = record.Index;
  let first = Array.isArray(index) && typeof index[0] === 'number' ? index[0] : null;
  for (const [key, child] of Object.entries(record)) {
    if (key === 'Index') continue;
    const start = firstIndex(child);
    if (start !== null && (first === null || start < first)) first = start;
  }
  return first;
}

/** MRS `Block`: each Template section as a list whose items carry the page their evidence starts on. */
export function toTencentBlock(template: Record<string, unknown>, doc: MedDocument, textTypes: unknown): Record<string, unknown> {
  const firstPage = doc.pages.length > 0 ? 1 : 0;
  const pageOfItem = (item: unknown): number => {
    const own = (item as { Page?: unknown }).Page;
    if (typeof own === 'number') return own;
    const start = firstIndex(item);
    return (start === null ? null : doc.pageOf(start)) ?? firstPage;
  };
  const block: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(template)) {
    if (value === null || typeof value !== 'object' || ['PatientInfo', 'ReportInfo'].includes(name)) continue;
    const items = Array.isArray(value) ? value : [value];
    block[name] = items.map((item) => ({ ...(item as object), Page: pageOfItem(item) }));
  }
  block.TextTypeListBlocks = [{ TextTypeList: textTypes, Page: firstPage }];
  return block;
}
