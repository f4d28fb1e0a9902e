import { readJsonResource } from '../resources.js';
import type { PhiType } from './types.js';

interface SurnameFile { compound: string[]; common: string[]; ambiguous: string[] }
type LabelFile = Record<PhiType | 'stop' | 'non_name' | 'staff_titles' | 'name_left_context' | 'name_right_words' | 'name_right_chars' | 'not_in_names' | 'single_surname_titles' | 'latin_stop' | 'number_label_endings' | 'not_identifier_labels' | 'not_after_half_names' | 'number_kinds' | 'bare_surname_left_words' | 'title_function_words' | 'colon_staff_labels' | 'person_label_endings' | 'staff_label_parts' | 'relative_label_parts' | 'institution_endings' | 'foreign_name_stops', string[]>;
interface GazetteerFile { provinces: string[]; cities: string[]; districts: string[]; terminals: string[]; street_parts: string[]; stop: string[] }
interface HospitalFile { suffixes: string[]; branch_suffixes: string[]; left_triggers: string[]; generic: string[]; alias_left: string[]; alias_right: string[] }
export interface PolicyFile { types: Record<PhiType, string>; flags: Record<string, PhiType[]>; default: PhiType[] }
export interface SurrogateFile {
  surnames: string[];
  compound_surnames: string[];
  given_chars: string[];
  foreign_given: string[];
  foreign_family: string[];
  places: string[];
  streets: string[];
  hospital_names: string[];
  email_domains: string[];
  id_regions: string[];
  plate_provinces: string[];
}

export interface DeidResources {
  compoundSurnames: Set<string>;
  commonSurnames: Set<string>;
  /** Surnames that are also ordinary words: trusted only next to a label. */
  ambiguousSurnames: Set<string>;
  labels: LabelFile;
  exceptions: Set<string>;
  gazetteer: GazetteerFile;
  hospitals: HospitalFile;
  policy: PolicyFile;
  surrogates: SurrogateFile;
}

let cached: DeidResources | null = null;

/** The de-identification lists under resources/deid, read once. */
export function deidResources(): DeidResources {
  if (cached) return cached;
  const surnames = readJsonResource<SurnameFile>('deid', 'surnames.json');
  const common = new Set(surnames.common);
  cached = {
    compoundSurnames: new Set(surnames.compound.filter((s) => s.length === 2)),
    commonSurnames: common,
    ambiguousSurnames: new Set(surnames.ambiguous.filter((s) => !common.has(s))),
    labels: readJsonResource<LabelFile>('deid', 'labels.json'),
    exceptions: new Set(readJsonResource<{ words: string[] }>('deid', 'exceptions.json').words),
    gazetteer: readJsonResource<GazetteerFile>('deid', 'gazetteer.json'),
    hospitals: readJsonResource<HospitalFile>('deid', 'hospitals.json'),
    policy: readJsonResource<PolicyFile>('deid', 'policy.json'),
    surrogates: readJsonResource<SurrogateFile>('deid', 'surrogates.json'),
  };
  return cached;
}
