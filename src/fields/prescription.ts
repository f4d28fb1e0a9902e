import { findPrescriptionItems } from './medication.js';
import { sectionRegions, wholeRegion, type Source } from './source.js';

/** Prescription (处方笺): one item per drug with specification, dose, frequency, route and quantity. */
export function extractPrescription(src: Source): Record<string, unknown> {
  const regions = sectionRegions(src, 'prescription', 'medications');
  return { drugs: findPrescriptionItems(src, regions.length > 0 ? regions : [wholeRegion(src)]) };
}
