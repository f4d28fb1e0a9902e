import { readJsonResource } from '../resources.js';

export const ENTITY_TYPES = [
  'disease', 'symptom', 'drug', 'anatomy', 'lab_test', 'exam', 'procedure', 'equipment', 'microbe',
  'department', 'hospital', 'region', 'population', 'age', 'person', 'time', 'measurement', 'location',
] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];

export const SCHEMES = ['yidu', 'cmeee', 'ccks2017', 'cmedqa', 'native'] as const;
export type SchemeName = (typeof SCHEMES)[number];

interface TypeInfo { zh: string; aliyun: string; nocode: string | null }
interface SchemeInfo { description: string; labels: Record<string, EntityType>; fromNative: Partial<Record<EntityType, string>> }

const typeTable = readJsonResource<{ types: Record<EntityType, TypeInfo> }>('taxonomy', 'types.json').types;
const schemeTable = readJsonResource<Record<SchemeName, SchemeInfo>>('taxonomy', 'schemes.json');

export function isEntityType(value: string): value is EntityType {
  return (ENTITY_TYPES as readonly string[]).includes(value);
}

export function isSchemeName(value: string): value is SchemeName {
  return (SCHEMES as readonly string[]).includes(value);
}

export function typeInfo(type: EntityType): TypeInfo {
  return typeTable[type];
}

/** Labels of a scheme (empty for `native`, whose labels are the unified types). */
export function schemeLabels(scheme: SchemeName): string[] {
  return scheme === 'native' ? [...ENTITY_TYPES] : Object.keys(schemeTable[scheme].labels);
}

/** Unified type of a scheme label, or null if the scheme has no such label. */
export function toNative(scheme: SchemeName, label: string): EntityType | null {
  if (scheme === 'native') return isEntityType(label) ? label : null;
  return schemeTable[scheme].labels[label] ?? null;
}

/** A scheme's label for a unified type, or null when the scheme does not annotate that type. */
export function fromNative(scheme: SchemeName, type: EntityType): string | null {
  if (scheme === 'native') return type;
  const info = schemeTable[scheme];
  const explicit = info.fromNative[type];
  if (explicit) return explicit;
  for (const [label, native] of Object.entries(info.labels)) if (native === type) return label;
  return null;
}
