import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageStatement } from '../src/accounts/index.js';
import { renderDeidSheet } from '../scripts/make-deid-testset.js';
import { makePdf } from './fixtures/ocr/pdf.js';
import { testServer, waitFor, type TestServer } from './server-helper.js';

const report = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', 'reports', name), 'utf8');
const today = (): string => new Date().toISOString().slice(0, 10);

describe('Tencent MRS endpoint and the native structure/deidentify routes', () => {
  let server: TestServer;
  let key: string;
  let keyId: string;
  const mrs = async (action: string, body: unknown, callKey = key) => {
    const reply = await server.call('POST', '/', { key: callKey, body, headers: { 'X-TC-Action': action, 'X-TC-Version': '2020-09-10' } });
    expect(reply.status).toBe(200);
    expect(reply.body.Response.RequestId).toMatch(/[0-9a-f-]{36}/);
    return reply.body.Response;
  };

  beforeAll(async () => {
    server = await testServer({ config: { tencentTextLimit: 2000 } });
    ({ key, id: keyId } = await server.key());
    await waitFor(async () => server.ctx.state.ready, 60_000);
  });
  afterAll(async () => { await server?.stop(); });

  it('TextToObject returns the Template and the multi-level TextTypeList', async () => {
    const ct = await mrs('TextToObject', { Text: report('ct.txt'), IsUsedClassify: true });
    expect(ct.TextTypeList.at(-1)).toEqual({ Id: 347, Level: ct.TextTypeList.length, Name: expect.any(String) });
    expect(ct.Template.PatientInfo).toBeTruthy();
    expect(ct.Template.Check).toBeTruthy();
    expect(JSON.stringify(ct.Template)).toContain('张国强');
    const forced = await mrs('TextToObject', { Text: report('admission.txt'), Type: 29 });
    expect(forced.TextTypeList.at(-1).Id).toBe(29);
    expect(forced.Template.MedDoc).toBeTruthy();
    expect(forced.Template.MedDocV2.TreatmentRecord.ChiefComplaint.Src).toBe('反复胸闷、胸痛3年，加重2天');
    const vaccination = await mrs('TextToObject', { Text: readFileSync(join(import.meta.dirname, 'fixtures', 'vaccination', 'rabies.txt'), 'utf8'), Type: 219 });
    expect(vaccination.TextTypeList.at(-1).Id).toBe(219);
    expect(vaccination.Template.VaccineCertificate.VaccineList.map((v: { Dose: string }) => v.Dose)).toEqual(['', '第1针', '第2针', '第3针', '第4针', '第5针']);
  });

  it('answers MRS error codes for bad parameters', async () => {
    expect((await mrs('TextToObject', { Text: '' })).Error.Code).toBe('InvalidParameter.Text');
    expect((await mrs('TextToObject', { Type: 347 })).Error.Code).toBe('InvalidParameter.Text');
    expect((await mrs('TextToObject', { Text: '超声所见'.repeat(600) })).Error.Code).toBe('LimitExceeded.TextSizeLimitExceeded');
    expect((await mrs('TextToObject', { Text: report('ct.txt'), Type: 9999 })).Error.Code).toBe('UnsupportedOperation.UnSupportThisType');
    expect((await mrs('ImageToObject', { ImageInfoList: [{ Id: 1, Base64: '@@not base64@@' }], IsUsedClassify: true })).Error.Code).toBe('InvalidParameterValue.ImageCodeInvalid');
    expect((await mrs('ImageToObject', { ImageInfoList: [{ Id: 1, Url: 'https://example.org/a.png' }] })).Error.Code).toBe('InvalidParameterValue.ImageURLInvalid');
    expect((await mrs('ImageToObject', { ImageInfoList: [] })).Error.Code).toBe('InvalidParameter.ImageInfoList');
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#ffffff' } }).png().toBuffer();
    expect((await mrs('ImageToObject', { ImageInfoList: [{ Id: 1, Base64: blank.toString('base64') }], IsUsedClassify: true })).Error.Code).toBe('InvalidParameterValue.ImageIsNoText');
    expect((await mrs('TurnPDFToObject', { PdfInfo: { Base64: Buffer.from('not a pdf at all').toString('base64') } })).Error.Code).toBe('InvalidParameter');
    expect((await mrs('TextToObject', { Text: report('ct.txt') }, 'msk_wrong')).Error.Code).toBe('AuthFailure');
    expect((await mrs('TurnPDFToObjectAsyncGetResult', { TaskID: 'job_unknown' })).Error.Code).toBe('FailedOperation.EmptyResult');
    expect((await mrs('ImageMaskAsyncGetResult', { TaskID: 'job_unknown' })).Error.Code).toBe('FailedOperation.EmptyResult');
    expect((await mrs('ImageMaskAsyncGetResult', {})).Error.Code).toBe('InvalidParameter');
    expect((await mrs('ImageMaskAsync', { Image: { Base64: Buffer.from('住院号ZY20230456').toString('base64') } })).Error.Code).toBe('InvalidParameterValue.ImageCodeInvalid');
    expect((await mrs('ImageMaskAsync', { Image: { Url: 'https://example.org/a.png' } })).Error.Code).toBe('InvalidParameterValue.ImageURLInvalid');
    expect((await mrs('ImageMaskAsync', { Image: { Base64: '@@' }, MaskFlag: { HospitalFlag: false } })).Error.Code).toBe('InvalidParameterValue.ImageCodeInvalid');
    // Bad parameters are refused before anything is reserved; failed calls are not charged.
    const released = await server.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM requests WHERE key_id = ? AND action = 'TextToObject' AND state = 'released'", [keyId]);
    expect(Number(released[0]!.n)).toBe(0);
    expect((await usageStatement(server.db, today(), keyId)).lines.filter((l) => l.action === 'TextToObject').map((l) => l.calls)).toEqual([3]);
  });

  it('TextToClass and ImageToClass classify text and images', async () => {
    const text = await mrs('TextToClass', { Text: report('admission.txt') });
    expect(text.TextTypeList).toEqual([{ Id: 13, Level: 1, Name: '医疗文本' }, { Id: 29, Level: 2, Name: expect.any(String) }]);
    const sheet = await renderDeidSheet();
    const image = await mrs('ImageToClass', { ImageInfoList: [{ Id: 1, Base64: sheet.png.toString('base64') }] });
    expect(image.TextTypeList.at(-1).Id).toBe(11);
  });

  it('ImageToObject reads an image or bring-your-own OCR, and ImageMask covers the PHI', async () => {
    const sheet = await renderDeidSheet();
    const fromImage = await mrs('ImageToObject', { ImageInfoList: [{ Id: 1, Base64: sheet.png.toString('base64') }], IsUsedClassify: true });
    expect(fromImage.TextTypeList.at(-1).Id).toBe(11);
    expect(fromImage.Template.Indicator).toBeTruthy();
    const lines = report('ct.txt').split('\n').filter(Boolean);
    const fromOcr = await mrs('ImageToObject', { OcrInfoList: [{ Items: lines.map((Words, i) => ({ Words, Coords: { LeftTop: { X: 10, Y: 20 + 30 * i }, RightTop: { X: 600, Y: 20 + 30 * i }, RightBottom: { X: 600, Y: 45 + 30 * i }, LeftBottom: { X: 10, Y: 45 + 30 * i } } })) }], IsUsedClassify: true });
    expect(fromOcr.TextTypeList.at(-1).Id).toBe(347);
    const masked = await mrs('ImageMask', { Image: { Base64: sheet.png.toString('base64') } });
    const image = Buffer.from(masked.MaskedImage, 'base64');
    expect((await sharp(image).metadata()).width).toBe((await sharp(sheet.png).metadata()).width);
    expect(image.equals(sheet.png)).toBe(false);
  });

  it('TurnPDFToObject charges per page; the async variant persists a task', async () => {
    const pdfKey = await server.key();
    const lines = report('discharge.txt').split('\n').filter(Boolean);
    const pdf = makePdf([
      { texts: lines.slice(0, 6).map((text, i) => ({ x: 40, y: 60 + 24 * i, size: 11, text: text.slice(0, 45) })) },
      { texts: lines.slice(6, 12).map((text, i) => ({ x: 40, y: 60 + 24 * i, size: 11, text: text.slice(0, 45) })) },
    ]);
    const sync = await mrs('TurnPDFToObject', { PdfInfo: { Base64: pdf.toString('base64') }, TextBasedPdfFlag: true }, pdfKey.key);
    expect(sync.IsBlock).toBe(true);
    expect(sync.Block.TextTypeListBlocks[0].TextTypeList.length).toBeGreaterThan(0);
    expect(sync.Template).toBeTruthy();
    const submitted = await mrs('TurnPDFToObjectAsync', { PdfInfo: { Base64: pdf.toString('base64') } }, pdfKey.key);
    expect(submitted.TaskID).toMatch(/^job_/);
    const result = await waitFor(async () => {
      const r = await mrs('TurnPDFToObjectAsyncGetResult', { TaskID: submitted.TaskID }, pdfKey.key);
      if (r.Error) expect(r.Error.Code).toBe('FailedOperation.AsyncTaskHandling');
      return r.Error ? null : r;
    });
    expect(result.Block).toEqual(sync.Block);
    const statement = await usageStatement(server.db, today(), pdfKey.id);
    expect(statement.calls[pdfKey.id]).toEqual({ TurnPDFToObject: 1, TurnPDFToObjectAsync: 1 });
    expect(statement.totals.units).toBe(4);
  });

  it('ImageMaskAsync masks an image as a persisted task, charged only when it succeeds', async () => {
    const maskKey = await server.key();
    const sheet = await renderDeidSheet();
    const submitted = await mrs('ImageMaskAsync', { Image: { Base64: sheet.png.toString('base64') }, MaskFlag: { BarFlag: false } }, maskKey.key);
    expect(submitted.TaskID).toMatch(/^job_/);
    // A PNG header over bytes that are no image: accepted, then the task fails and is not charged.
    const broken = Buffer.concat([sheet.png.subarray(0, 16), Buffer.alloc(64, 7)]);
    const failing = await mrs('ImageMaskAsync', { Image: { Base64: broken.toString('base64') } }, maskKey.key);
    const result = await waitFor(async () => {
      const r = await mrs('ImageMaskAsyncGetResult', { TaskID: submitted.TaskID }, maskKey.key);
      if (r.Error) expect(r.Error.Code).toBe('FailedOperation.AsyncTaskHandling');
      return r.Error ? null : r;
    }, 60_000);
    const image = Buffer.from(result.MaskedImage, 'base64');
    expect((await sharp(image).metadata()).width).toBe((await sharp(sheet.png).metadata()).width);
    expect(image.equals(sheet.png)).toBe(false);
    const failed = await waitFor(async () => {
      const r = await mrs('ImageMaskAsyncGetResult', { TaskID: failing.TaskID }, maskKey.key);
      return r.Error?.Code === 'FailedOperation.AsyncTaskHandling' ? null : r;
    }, 60_000);
    expect(failed.Error.Code).toBe('FailedOperation.AsyncTaskError');
    // Another key, or the other async action's result call, does not see the task.
    expect((await mrs('ImageMaskAsyncGetResult', { TaskID: submitted.TaskID })).Error.Code).toBe('FailedOperation.EmptyResult');
    expect((await mrs('TurnPDFToObjectAsyncGetResult', { TaskID: submitted.TaskID }, maskKey.key)).Error.Code).toBe('FailedOperation.EmptyResult');
    const statement = await usageStatement(server.db, today(), maskKey.id);
    expect(statement.calls[maskKey.id]).toEqual({ ImageMaskAsync: 1 });
  });

  it('an ImageMaskAsync task submitted before a restart is done by the next instance', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'medstruct-mask-'));
    try {
      const first = await testServer({ dataDir });
      // No job runs on the first instance: the task is only stored when it stops.
      await first.ctx.runner.stop();
      const { id, key: maskKey } = await first.key();
      const sheet = await renderDeidSheet(1);
      const submitted = await first.call('POST', '/', { key: maskKey, body: { Image: { Base64: sheet.png.toString('base64') } }, headers: { 'X-TC-Action': 'ImageMaskAsync' } });
      const taskId = submitted.body.Response.TaskID as string;
      expect(taskId).toMatch(/^job_/);
      await first.stop();

      const second = await testServer({ dataDir });
      try {
        const result = await waitFor(async () => {
          const r = await second.call('POST', '/', { key: maskKey, body: { TaskID: taskId }, headers: { 'X-TC-Action': 'ImageMaskAsyncGetResult' } });
          return r.body.Response.Error ? null : r.body.Response;
        }, 60_000);
        expect(Buffer.from(result.MaskedImage, 'base64').equals(sheet.png)).toBe(false);
        expect((await usageStatement(second.db, today(), id)).calls[id]).toEqual({ ImageMaskAsync: 1 });
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('structures text, PDFs and uploads on /v1/structure', async () => {
    const native = await server.call('POST', '/v1/structure', { key, body: { text: report('ct.txt') } });
    expect(native.status).toBe(200);
    expect(native.body.type).toMatchObject({ type: 'ct', code: 347 });
    expect(native.body.sections.map((s: { key: string }) => s.key)).toEqual(expect.arrayContaining(['findings', 'impression']));
    const tencent = await server.call('POST', '/v1/structure', { key, body: { text: report('ct.txt'), format: 'tencent' } });
    expect(tencent.body.Template.Check).toBeTruthy();
    const form = new FormData();
    form.append('type', 'ct');
    form.append('file', new Blob([Buffer.from(report('ct.txt'))], { type: 'text/plain' }), 'ct.txt');
    const upload = await fetch(`${server.url}/v1/structure`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
    expect(upload.status).toBe(200);
    expect(((await upload.json()) as { type: { type: string } }).type.type).toBe('ct');
    const bad = await server.call('POST', '/v1/structure', { key, body: { text: report('ct.txt'), type: 'xray-of-the-soul' } });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_ARGUMENT']);
    const none = await server.call('POST', '/v1/structure', { key, body: { format: 'native' } });
    expect([none.status, none.body.error.code]).toEqual([400, 'INVALID_ARGUMENT']);
  });

  it('de-identifies text on /v1/deidentify', async () => {
    const text = '患者张建国，男，身份证号110105194912310021，联系电话13912345678，住院号ZY20230456。';
    const reply = await server.call('POST', '/v1/deidentify', { key, body: { text } });
    expect(reply.status).toBe(200);
    for (const phi of ['张建国', '110105194912310021', '13912345678', 'ZY20230456']) expect(reply.body.text).not.toContain(phi);
    expect(reply.body.text).toContain('住院号');
    const tagged = await server.call('POST', '/v1/deidentify', { key, body: { text, mode: 'tag', mask: ['phone'] } });
    expect(tagged.body.text).toContain('张建国');
    expect(tagged.body.text).not.toContain('13912345678');
    const badMode = await server.call('POST', '/v1/deidentify', { key, body: { text, mode: 'blur' } });
    expect(badMode.status).toBe(400);
  });
});
