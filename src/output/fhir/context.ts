import type { Assertion, Span } from '../../document/types.js';
import type { NativeEntity } from '../native.js';
import type { StructureResult } from '../../structure/index.js';
import { assertionExtension, sourceSpanExtension, type BundleBuilder, type Json, type Reference, type SourceSpan } from './builder.js';

/** What every resource builder needs: the bundle, the structure result and the shared references. */
export interface FhirContext {
  bundle: BundleBuilder;
  result: StructureResult;
  timezone: string;
  patient: Reference;
  encounter: Reference | null;
  /** Spans already turned into resources from fields, by kind, so entity mentions inside them are not repeated. */
  claimed: Record<'condition' | 'procedure' | 'medication' | 'finding', Span[]>;
}

export const DEFAULT_ASSERTION: Pick<Assertion, 'certainty' | 'temporality' | 'subject' | 'conditional'> = {
  certainty: 'positive', temporality: 'current', subject: 'patient', conditional: false,
};

export const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;
export const inside = (inner: Span, outer: Span): boolean => inner.start >= outer.start && inner.end <= outer.end;

export function isClaimed(ctx: FhirContext, kind: keyof FhirContext['claimed'], span: Span): boolean {
  return ctx.claimed[kind].some((c) => overlaps(c, span));
}

/** The key of the section holding a span, or null. */
export function sectionKeyOf(ctx: FhirContext, span: Span): string | null {
  return ctx.result.sections.find((s) => inside(span, s))?.key ?? null;
}

/** The entities of the given types that overlap a span, outermost first. */
export function entitiesIn(ctx: FhirContext, span: Span, types: string[]): NativeEntity[] {
  return ctx.result.entities.filter((e) => types.includes(e.type) && overlaps(e, span));
}

export function extensions(span: SourceSpan | null, assertion?: Pick<Assertion, 'certainty' | 'temporality' | 'subject' | 'conditional'> | null): Json[] {
  const out: Json[] = [];
  if (span) out.push(sourceSpanExtension(span));
  if (assertion) out.push(assertionExtension(assertion));
  return out;
}

export function common(ctx: FhirContext): Json {
  return { subject: ctx.patient, ...(ctx.encounter ? { encounter: ctx.encounter } : {}) };
}
