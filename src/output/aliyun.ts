import type { MedDocument } from '../document/document.js';
import type { Assertion } from '../document/types.js';
import { typeInfo } from '../taxonomy/taxonomy.js';

export interface AliyunNer {
  id: number;
  text: string;
  type: string[];
  probability: number[];
  begin_char: number;
  end_char: number;
  attributes: string[];
  attr_probability: number[];
  parent: number[];
  children: number[];
}

export interface AliyunData {
  result: { ner: AliyunNer[]; text: string };
  success: boolean;
}

const round = (x: number): number => Math.round(x * 10000) / 10000;

/** Alibaba's attribute names for the non-default values of an assertion. */
export function aliyunAttributes(assertion: Assertion | null): Array<[string, number]> {
  if (!assertion) return [];
  const out: Array<[string, number]> = [];
  const c = assertion.confidence;
  if (assertion.certainty === 'negative') out.push(['NEGATIVE', c.certainty]);
  if (assertion.certainty === 'possible') out.push(['POSSIBLE', c.certainty]);
  if (assertion.temporality === 'past') out.push(['PAST', c.temporality]);
  if (assertion.temporality === 'future') out.push(['FUTURE', c.temporality]);
  if (assertion.subject === 'family') out.push(['FAMILY', c.subject]);
  if (assertion.conditional) out.push(['CONDITIONAL', c.conditional]);
  return out;
}

/** The parsed `Data` of GetNerChMedical: integer ids, closed-interval offsets, nesting as id lists. */
export function toAliyunData(doc: MedDocument): AliyunData {
  const numbers = new Map(doc.entities.map((e, i) => [e.id, i + 1]));
  const ner = doc.entities.map((e): AliyunNer => {
    const attrs = aliyunAttributes(e.assertion);
    return {
      id: numbers.get(e.id)!,
      text: e.text,
      type: [typeInfo(e.type).aliyun],
      probability: [round(e.confidence)],
      begin_char: e.start,
      end_char: e.end - 1,
      attributes: attrs.map(([name]) => name),
      attr_probability: attrs.map(([, p]) => round(p)),
      parent: e.parent ? [numbers.get(e.parent)!] : [],
      children: e.children.map((id) => numbers.get(id)!),
    };
  });
  return { result: { ner, text: doc.text }, success: true };
}
