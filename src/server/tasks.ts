/** The calls the HTTP thread hands to the worker pool (plain data: it crosses a thread boundary). */
export type NerFormat = 'native' | 'aliyun' | 'nocode';

export type WorkerTask =
  | { op: 'ready' }
  | { op: 'ner'; text: string; format: NerFormat; dropNegated?: boolean };
