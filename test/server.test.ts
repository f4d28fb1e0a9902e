import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPackage, setKeyStatus, usageStatement } from '../src/accounts/index.js';
import { makePdf } from './fixtures/ocr/pdf.js';
import { testServer, waitFor, type TestServer } from './server-helper.js';

const REPORT = '患者男，65岁，因反复胸闷气短3年，加重伴双下肢水肿1周入院。既往高血压病史10年，口服硝苯地平控释片治疗。否认糖尿病史。';
const today = (): string => new Date().toISOString().slice(0, 10);

describe('HTTP service on the embedded store', () => {
  let server: TestServer;
  let key: string;
  let keyId: string;

  beforeAll(async () => {
    server = await testServer({ config: { adminToken: 'admin-secret', aliyunTextLimit: 256, rateLimits: { 'rate.test': 1 } } });
    ({ key, id: keyId } = await server.key());
    await waitFor(async () => (await server.call('GET', '/readyz')).status === 200, 60_000);
  });
  afterAll(async () => { await server?.stop(); });

  it('answers health, readiness, OpenAPI and docs', async () => {
    expect((await server.call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await server.call('GET', '/readyz')).body).toEqual({ status: 'ready' });
    const openapi = await server.call('GET', '/openapi.json');
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/ner', '/v1/jobs', '/v1/jobs/{id}']));
    const docs = await fetch(`${server.url}/docs/`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('<html');
  });

  it('recognizes entities on /v1/ner in the three formats', async () => {
    const native = await server.call('POST', '/v1/ner', { key, body: { text: REPORT } });
    expect(native.status).toBe(200);
    expect(native.body.entities.length).toBeGreaterThan(3);
    for (const e of native.body.entities) expect(Array.from(REPORT).slice(e.start, e.end).join('')).toBe(e.text);

    const aliyun = await server.call('POST', '/v1/ner', { key, body: { text: REPORT, format: 'aliyun' } });
    expect(aliyun.body.success).toBe(true);
    expect(aliyun.body.result.text).toBe(REPORT);
    const nocode = await server.call('POST', '/v1/ner', { key, body: { text: REPORT, format: 'nocode' } });
    expect(nocode.body.data.entity_extraction.length).toBeGreaterThan(0);
  });

  it('answers bad input with the right status and code', async () => {
    const cases: Array<[string, Parameters<TestServer['call']>[2], number, string]> = [
      ['no key', { body: { text: REPORT } }, 401, 'UNAUTHENTICATED'],
      ['wrong key', { key: 'msk_nope', body: { text: REPORT } }, 401, 'UNAUTHENTICATED'],
      ['invalid JSON', { key, raw: '{"text": "胸痛', headers: { 'content-type': 'application/json' } }, 400, 'INVALID_JSON'],
      ['missing text', { key, body: { format: 'native' } }, 400, 'INVALID_ARGUMENT'],
      ['text not a string', { key, body: { text: 42 } }, 400, 'INVALID_ARGUMENT'],
      ['unknown format', { key, body: { text: REPORT, format: 'xml' } }, 400, 'INVALID_ARGUMENT'],
      ['empty text', { key, body: { text: '   ' } }, 400, 'EMPTY_INPUT'],
      ['wrong content type', { key, raw: 'text=胸痛', headers: { 'content-type': 'text/csv' } }, 415, 'UNSUPPORTED_MEDIA'],
    ];
    for (const [name, options, status, code] of cases) {
      const reply = await server.call('POST', '/v1/ner', options);
      expect({ name, status: reply.status, code: reply.body.error?.code }).toEqual({ name, status, code });
      expect(reply.body.requestId).toMatch(/[0-9a-f-]{36}/);
    }
    const huge = await server.call('POST', '/v1/ner', { key, body: { text: '胸痛'.repeat(60_000) } });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'INPUT_TOO_LARGE']);
    const unknown = await server.call('GET', '/v1/nothing', { key });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('classifies reports and links mentions', async () => {
    const ct = await server.call('POST', '/v1/classify', { key, body: { text: '胸部CT平扫：双肺纹理清晰，未见明显实质性病变。纵隔居中。诊断意见：胸部CT平扫未见明显异常。' } });
    expect(ct.status).toBe(200);
    expect(ct.body).toMatchObject({ type: 'ct', code: 347 });
    const linked = await server.call('POST', '/v1/link', { key, body: { text: '急性心肌梗死', type: 'disease' } });
    expect(linked.status).toBe(200);
    expect(linked.body.candidates[0]).toMatchObject({ name: '急性心肌梗死', codes: { icd10: expect.stringMatching(/^I21/) } });
    const diagnoses = await server.call('POST', '/v1/link', { key, body: { text: '高血压3级；2型糖尿病', diagnoses: true } });
    expect(diagnoses.body.candidates.length).toBeGreaterThanOrEqual(2);
    const badType = await server.call('POST', '/v1/link', { key, body: { text: '急性心肌梗死', type: 'organ' } });
    expect([badType.status, badType.body.error.code]).toEqual([400, 'INVALID_ARGUMENT']);
  });

  it('reads PDFs and images on /v1/ocr, charging per page', async () => {
    const ocrKey = await server.key();
    const pdf = makePdf([
      { texts: [{ x: 60, y: 80, size: 14, text: '检验报告单' }, { x: 60, y: 120, size: 12, text: '白细胞计数 12.5 ×10^9/L ↑' }] },
      { texts: [{ x: 60, y: 80, size: 12, text: '诊断意见：白细胞升高，请结合临床。' }] },
    ]);
    const json = await server.call('POST', '/v1/ocr', { key: ocrKey.key, body: { file: pdf.toString('base64') } });
    expect(json.status).toBe(200);
    expect(json.body.kind).toBe('pdf');
    expect(json.body.pages).toHaveLength(2);
    expect(json.body.pages[1].lines.map((l: { text: string }) => l.text).join('')).toContain('白细胞升高');
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'report.pdf');
    const upload = await fetch(`${server.url}/v1/ocr`, { method: 'POST', headers: { authorization: `Bearer ${ocrKey.key}` }, body: form });
    expect(upload.status).toBe(200);
    expect(((await upload.json()) as { pages: unknown[] }).pages).toHaveLength(2);
    const statement = await usageStatement(server.db, today(), ocrKey.id);
    expect(statement.lines).toEqual([expect.objectContaining({ action: 'ocr', calls: 2, units: 4 })]);

    const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const cases: Array<[unknown, number, string]> = [
      [{ file: blank.toString('base64') }, 422, 'IMAGE_HAS_NO_TEXT'],
      [{ file: blank.subarray(0, 60).toString('base64') }, 400, 'CORRUPT_IMAGE'],
      [{ file: 'this is not base64!' }, 400, 'INVALID_ARGUMENT'],
      [{ file: Buffer.from('PK\u0003\u0004 a zip archive').toString('base64'), filename: 'scan.zip' }, 415, 'UNSUPPORTED_MEDIA'],
      [{}, 400, 'INVALID_ARGUMENT'],
    ];
    for (const [body, status, code] of cases) {
      const reply = await server.call('POST', '/v1/ocr', { key: ocrKey.key, body });
      expect([reply.status, reply.body.error?.code]).toEqual([status, code]);
    }
    expect((await usageStatement(server.db, today(), ocrKey.id)).totals.calls).toBe(2);
  });

  it('serves GetNerChMedical with Alibaba\'s envelope and codes', async () => {
    const query = new URLSearchParams({ Action: 'GetNerChMedical', ServiceCode: 'alinlp', Text: '右上腹疼痛伴发热2天' });
    const get = await server.call('GET', `/?${query}`, { key });
    expect(get.status).toBe(200);
    expect(get.body.RequestId).toBeTruthy();
    const data = JSON.parse(get.body.Data);
    expect(data.success).toBe(true);
    expect(data.result.ner.some((e: { text: string }) => e.text.includes('疼痛') || e.text.includes('发热'))).toBe(true);
    for (const e of data.result.ner) expect(Array.from(data.result.text).slice(e.begin_char, e.end_char + 1).join('')).toBe(e.text);

    const form = await fetch(`${server.url}/`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-www-form-urlencoded' }, body: query.toString(),
    });
    expect(form.status).toBe(200);
    expect(JSON.parse(((await form.json()) as { Data: string }).Data).result.text).toBe('右上腹疼痛伴发热2天');

    const noAuth = await server.call('GET', `/?${query}`);
    expect([noAuth.status, noAuth.body.Code]).toEqual([403, 'Forbidden.NoAuth']);
    const noText = await server.call('GET', '/?Action=GetNerChMedical&ServiceCode=alinlp', { key });
    expect([noText.status, noText.body.Code]).toEqual([401, 'InvalidParameter']);
    const long = new URLSearchParams({ Action: 'GetNerChMedical', ServiceCode: 'alinlp', Text: '头痛'.repeat(200) });
    const tooLong = await server.call('GET', `/?${long}`, { key });
    expect([tooLong.status, tooLong.body.Code]).toEqual([405, 'TextLimitExceeded']);
    const badAction = await server.call('GET', '/?Action=GetNerChGeneral&ServiceCode=alinlp&Text=x', { key });
    expect([badAction.status, badAction.body.Code]).toEqual([404, 'InvalidAction.NotFound']);

    const closed = await server.key();
    await setKeyStatus(server.db, closed.id, 'closed');
    server.ctx.keyCache.clear();
    const refused = await server.call('GET', `/?${query}`, { key: closed.key });
    expect([refused.status, refused.body.Code]).toEqual([400, 'UserStatusInvalid']);
  });

  it('serves nocode entity recognition', async () => {
    const reply = await server.call('POST', '/v2/nc.ms.smart.entity.recognition', { key, body: { text: REPORT } });
    expect(reply.status).toBe(200);
    const items = reply.body.data.entity_extraction;
    expect(items.some((i: { ner_name: string }) => i.ner_name === '高血压')).toBe(true);
    for (const item of items) for (const p of item.positions) expect(Array.from(REPORT).slice(p.start_index, p.end_index).join('')).toBe(item.ner_name);
  });

  it('answers Tencent MRS errors inside Response.Error', async () => {
    const unknown = await server.call('POST', '/', { key, body: {}, headers: { 'X-TC-Action': 'DescribeNothing' } });
    expect(unknown.status).toBe(200);
    expect(unknown.body.Response.Error.Code).toBe('InvalidParameter.InvalidAction');
    expect(unknown.body.Response.RequestId).toBeTruthy();
    const badJson = await server.call('POST', '/', { key, raw: '{"Text":', headers: { 'X-TC-Action': 'TextToClass', 'content-type': 'application/json' } });
    expect(badJson.body.Response.Error.Code).toBe('InvalidParameter');
  });

  it('meters calls per key and action, and replays Idempotency-Key without charging again', async () => {
    const fresh = await server.key();
    const first = await server.call('POST', '/v1/ner', { key: fresh.key, body: { text: REPORT }, headers: { 'Idempotency-Key': 'order-1' } });
    const again = await server.call('POST', '/v1/ner', { key: fresh.key, body: { text: REPORT }, headers: { 'Idempotency-Key': 'order-1' } });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await server.call('POST', '/v1/ner', { key: fresh.key, body: { text: '头痛' }, headers: { 'Idempotency-Key': 'order-1' } });
    expect([other.status, other.body.error.code]).toEqual([422, 'IDEMPOTENCY_MISMATCH']);
    await server.call('POST', '/v1/ner', { key: fresh.key, body: { text: '   ' } });
    await server.call('POST', '/v2/nc.ms.smart.entity.recognition', { key: fresh.key, body: { text: REPORT } });
    const statement = await usageStatement(server.db, today(), fresh.id);
    expect(statement.calls[fresh.id]).toEqual({ ner: 1, 'nc.ms.smart.entity.recognition': 1 });
  });

  it('refuses calls once packages are used up and pay-as-you-go is off', async () => {
    const prepaid = await server.key({ payg: false });
    const none = await server.call('POST', '/v1/ner', { key: prepaid.key, body: { text: REPORT } });
    expect([none.status, none.body.error.code]).toEqual([403, 'QUOTA_EXHAUSTED']);
    await addPackage(server.db, { key: prepaid.id, calls: 2, months: 1 });
    for (let i = 0; i < 2; i++) expect((await server.call('POST', '/v1/ner', { key: prepaid.key, body: { text: REPORT } })).status).toBe(200);
    const tencent = await server.call('POST', '/', { key: prepaid.key, body: { Text: REPORT }, headers: { 'X-TC-Action': 'DescribeNothing' } });
    expect(tencent.body.Response.Error.Code).toBe('InvalidParameter.InvalidAction');
    const after = await server.call('POST', '/v1/ner', { key: prepaid.key, body: { text: REPORT } });
    expect(after.body.error.code).toBe('QUOTA_EXHAUSTED');
    const q = new URLSearchParams({ Action: 'GetNerChMedical', ServiceCode: 'alinlp', Text: '头痛' });
    const aliyun = await server.call('GET', `/?${q}`, { key: prepaid.key });
    expect([aliyun.status, aliyun.body.Code]).toEqual([400, 'UserStatusInvalid']);
  });

  it('limits calls per second per key and action', async () => {
    const limited = await server.key({ rateLimits: { GetNerChMedical: 2 } });
    const q = new URLSearchParams({ Action: 'GetNerChMedical', ServiceCode: 'alinlp', Text: '头痛' });
    const replies = await Promise.all(Array.from({ length: 6 }, () => server.call('GET', `/?${q}`, { key: limited.key })));
    const throttled = replies.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(3);
    expect(throttled[0]!.body.Code).toBe('Throttling.User');
    const native = await server.call('POST', '/v1/ner', { key: limited.key, body: { text: '头痛' } });
    expect(native.status).toBe(200);
  });

  it('runs async batch jobs and keeps their results', async () => {
    const bad = await server.call('POST', '/v1/jobs', { key, body: { action: 'ner', items: [{ text: REPORT }, { text: '   ' }] } });
    expect([bad.status, bad.body.error.code, bad.body.error.message]).toEqual([400, 'EMPTY_INPUT', 'items[1]: text is empty']);
    const submitted = await server.call('POST', '/v1/jobs', { key, body: { action: 'ner', items: [{ text: REPORT }, { text: '咳嗽咳痰2周', format: 'nocode' }] } });
    expect(submitted.status).toBe(202);
    const id = submitted.body.id;
    const done = await waitFor(async () => {
      const job = await server.call('GET', `/v1/jobs/${id}`, { key });
      return job.body.status === 'done' ? job.body : null;
    });
    expect(done.result).toHaveLength(2);
    expect(done.result[0].ok).toBe(true);
    expect(done.result[0].value.entities.length).toBeGreaterThan(0);
    expect(done.result[1].value.data).toHaveProperty('entity_extraction');
    const stranger = await server.key();
    expect((await server.call('GET', `/v1/jobs/${id}`, { key: stranger.key })).status).toBe(404);
    const single = await server.call('POST', '/v1/jobs', { key, body: { action: 'ner', input: { text: REPORT } }, headers: { 'Idempotency-Key': 'job-1' } });
    const retried = await server.call('POST', '/v1/jobs', { key, body: { action: 'ner', input: { text: REPORT } }, headers: { 'Idempotency-Key': 'job-1' } });
    expect(retried.body.id).toBe(single.body.id);
    await waitFor(async () => (await server.call('GET', `/v1/jobs/${single.body.id}`, { key })).body.status === 'done');
    const statement = await usageStatement(server.db, today(), keyId);
    expect(statement.lines.find((l) => l.action === 'ner')!.units).toBeGreaterThanOrEqual(3);
  });

  it('offers the same operations as the CLI on the admin API', async () => {
    expect((await server.call('GET', '/admin/keys')).status).toBe(401);
    const admin = { authorization: 'Bearer admin-secret' };
    const created = await server.call('POST', '/admin/keys', { headers: admin, body: { name: 'hospital-a', payg: false, scopes: ['ner'] } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^msk_/);
    const pkg = await server.call('POST', `/admin/keys/${created.body.id}/packages`, { headers: admin, body: { calls: 100, months: 3 } });
    expect(pkg.body).toMatchObject({ callsTotal: 100, callsLeft: 100, months: 3 });
    expect((await server.call('POST', '/v1/ner', { key: created.body.key, body: { text: REPORT } })).status).toBe(200);
    const forbidden = await server.call('POST', '/v2/nc.ms.smart.entity.recognition', { key: created.body.key, body: { text: REPORT } });
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const usage = await server.call('GET', `/admin/usage?key=${created.body.id}`, { headers: admin });
    expect(usage.body.calls[created.body.id]).toEqual({ ner: 1 });
    expect((await server.call('POST', `/admin/keys/hospital-a/close`, { headers: admin })).body.status).toBe('closed');
    const closed = await server.call('POST', '/v1/ner', { key: created.body.key, body: { text: REPORT } });
    expect(closed.body.error.code).toBe('SERVICE_NOT_OPEN');
    expect((await server.call('POST', `/admin/keys/${created.body.id}/revoke`, { headers: admin })).body.status).toBe('revoked');
    expect((await server.call('POST', '/v1/ner', { key: created.body.key, body: { text: REPORT } })).status).toBe(401);
  });

  it('exports Prometheus metrics and keeps patient text out of the logs', async () => {
    const metrics = await server.call('GET', '/metrics');
    expect(metrics.body).toContain('medstruct_requests_total{surface="native",action="ner",status="200"}');
    expect(metrics.body).toContain('medstruct_request_duration_seconds_bucket');
    expect(metrics.body).toMatch(/medstruct_queue_depth \d+/);
    expect(metrics.body).toMatch(/medstruct_jobs\{status="done"\} \d+/);
    const logs = server.logs.join('');
    expect(logs).toContain('"reqId"');
    expect(logs).not.toContain('胸闷');
    expect(logs).not.toContain('右上腹');
    expect(logs).not.toContain(encodeURIComponent('右上腹'));
    expect(logs).not.toContain(key);
  });
});
