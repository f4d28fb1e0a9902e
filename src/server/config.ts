/** Service settings; every one has a default and an environment variable (see docs/SERVER.md). */
export interface ServiceConfig {
  /** Largest request body in bytes (base64 images and PDFs included). */
  bodyLimit: number;
  /** Longest text, in characters, a native or nocode call accepts. */
  textLimit: number;
  /** Longest Text of an MRS call (LimitExceeded.TextSizeLimitExceeded beyond it). */
  tencentTextLimit: number;
  /** Longest Text of a GetNerChMedical call (TextLimitExceeded beyond it); null = no limit. */
  aliyunTextLimit: number | null;
  /** Most pages of a PDF (TOO_MANY_PAGES beyond). */
  maxPdfPages: number;
  /** Time a synchronous call may take before it is answered TIMEOUT. */
  requestTimeoutMs: number;
  /** Default queries per second by action (`*` = all); a key's own limits take precedence. */
  rateLimits: Record<string, number>;
  /** How long async jobs and their results are kept. */
  jobTtlMs: number;
  /** Lease of a running job; another instance takes it over once it lapses. */
  jobLeaseMs: number;
  /** Bearer token of the admin API; null disables the admin API. */
  adminToken: string | null;
}

export const DEFAULT_CONFIG: ServiceConfig = {
  bodyLimit: 20 * 1024 * 1024,
  textLimit: 100_000,
  tencentTextLimit: 20_000,
  aliyunTextLimit: null,
  maxPdfPages: 100,
  requestTimeoutMs: 30_000,
  rateLimits: {},
  jobTtlMs: 7 * 24 * 3600 * 1000,
  jobLeaseMs: 30_000,
  adminToken: null,
};

function intEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
}

/** `ner=50,TextToObject=20,*=100` → `{ ner: 50, … }`. */
export function parseRateLimits(spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [action, qps] = part.includes('=') ? part.split('=') as [string, string] : ['*', part];
    const value = Number(qps);
    if (!action || !(value > 0)) throw new Error(`Bad rate limit ${part}: use ACTION=QPS`);
    out[action.trim()] = value;
  }
  return out;
}

/** Settings from MEDSTRUCT_* environment variables over the defaults. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const aliyun = intEnv(env, 'MEDSTRUCT_ALIYUN_TEXT_LIMIT');
  return {
    bodyLimit: intEnv(env, 'MEDSTRUCT_BODY_LIMIT') ?? DEFAULT_CONFIG.bodyLimit,
    textLimit: intEnv(env, 'MEDSTRUCT_TEXT_LIMIT') ?? DEFAULT_CONFIG.textLimit,
    tencentTextLimit: intEnv(env, 'MEDSTRUCT_TENCENT_TEXT_LIMIT') ?? DEFAULT_CONFIG.tencentTextLimit,
    aliyunTextLimit: aliyun === undefined || aliyun === 0 ? null : aliyun,
    maxPdfPages: intEnv(env, 'MEDSTRUCT_MAX_PDF_PAGES') ?? DEFAULT_CONFIG.maxPdfPages,
    requestTimeoutMs: intEnv(env, 'MEDSTRUCT_REQUEST_TIMEOUT_MS') ?? DEFAULT_CONFIG.requestTimeoutMs,
    rateLimits: env.MEDSTRUCT_RATE_LIMITS ? parseRateLimits(env.MEDSTRUCT_RATE_LIMITS) : {},
    jobTtlMs: (intEnv(env, 'MEDSTRUCT_JOB_TTL_HOURS') ?? DEFAULT_CONFIG.jobTtlMs / 3_600_000) * 3_600_000,
    jobLeaseMs: intEnv(env, 'MEDSTRUCT_JOB_LEASE_MS') ?? DEFAULT_CONFIG.jobLeaseMs,
    adminToken: env.MEDSTRUCT_ADMIN_TOKEN || null,
  };
}
