import type { MedDocument } from '../document/document.js';

/**
 * One step of the pipeline. A stage reads what earlier stages wrote on the document and adds its own
 * annotations; it never re-reads the input. Stages are synchronous: I/O (OCR, PDF) happens at ingest.
 */
export interface Stage {
  readonly name: string;
  process(doc: MedDocument): void;
}

/** Runs stages in order over a document. */
export class Pipeline {
  readonly stages: readonly Stage[];

  constructor(stages: Stage[]) {
    this.stages = stages;
  }

  run(doc: MedDocument): MedDocument {
    for (const stage of this.stages) stage.process(doc);
    return doc;
  }

  /** A pipeline without the named stages (for callers that want, say, entities without linking). */
  without(...names: string[]): Pipeline {
    return new Pipeline(this.stages.filter((s) => !names.includes(s.name)));
  }
}
