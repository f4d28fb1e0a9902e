import { MedstructError } from '../../errors.js';
import type { Command } from '../main.js';

/** Each evaluation is a module under src/eval with `run(argv)`, printing JSON whose last line holds the headline figure. */
const EVALUATIONS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  classify: () => import('../../eval/classify.js'),
  ner: () => import('../../eval/ner.js'),
  deid: () => import('../../eval/deid.js'),
  tumour: () => import('../../eval/tumour.js'),
  link: () => import('../../eval/link.js'),
  assertion: () => import('../../eval/assertion.js'),
  relations: () => import('../../eval/relations.js'),
};

const command: Command = {
  summary: `medstruct eval <${Object.keys(EVALUATIONS).join('|')}> --data FILE [options]`,
  async run(argv) {
    const [what, ...rest] = argv;
    const load = what === undefined ? undefined : EVALUATIONS[what];
    if (!load) throw new MedstructError('INVALID_ARGUMENT', `medstruct eval needs one of: ${Object.keys(EVALUATIONS).join(', ')}`);
    return (await load()).run(rest);
  },
};

export default command;
