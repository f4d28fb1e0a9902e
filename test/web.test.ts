import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from './fixtures/ocr/pdf.js';
import { testServer, waitFor, type TestServer } from './server-helper.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const REPORT = '患者男，58岁，因反复咳嗽、咳痰2周入院。既往高血压病史8年，规律服用氨氯地平。否认糖尿病史。胸部CT示右肺下叶斑片影，考虑肺炎可能。';

describe.skipIf(!existsSync(CHROMIUM))('try-it web page in Chromium', () => {
  let server: TestServer;
  let key: string;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await testServer();
    ({ key } = await server.key());
    await waitFor(async () => (await server.call('GET', '/readyz')).status === 200, 60_000);
    profile = mkdtempSync(join(tmpdir(), 'medstruct-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    page = browser.pages()[0] ?? await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await server?.stop();
  });

  it('serves the page with its own assets only, and the API beside it', async () => {
    const html = await fetch(`${server.url}/try`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await html.text()).not.toMatch(/https?:\/\//);
    const typeNames = await fetch(`${server.url}/try/types.json`).then((r) => r.json()) as Record<string, string>;
    expect(typeNames.disease).toBe('疾病');
    // The cloud-compatible root keeps answering as before.
    const aliyun = await server.call('GET', `/?Action=GetNerChMedical&ServiceCode=alinlp&Text=${encodeURIComponent('反复胸痛3天')}`, { key });
    expect([aliyun.status, typeof aliyun.body.Data]).toEqual([200, 'string']);
  });

  it('highlights the entities of a report by type, negated ones struck through', async () => {
    const external: string[] = [];
    page.on('request', (request) => { if (!request.url().startsWith(server.url)) external.push(request.url()); });
    await page.goto(`${server.url}/try`);
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('Report text 报告文本').fill(REPORT);
    await page.getByLabel('Entities 实体').check();
    await page.getByRole('button', { name: 'Run 运行' }).click();
    await page.locator('#annotated mark.ent').first().waitFor();

    // Evaluated in the page (this project's TypeScript has no DOM types).
    const marks = await page.evaluate(`[...document.querySelectorAll('#annotated mark.ent')].map((n) => ({
      type: n.dataset.type, text: n.textContent, classes: n.className, colour: getComputedStyle(n).borderBottomColor,
    }))`) as Array<{ type: string; text: string; classes: string; colour: string }>;
    const typeOf = (text: string) => marks.find((m) => m.text === text)?.type;
    expect(typeOf('咳嗽')).toBe('symptom');
    expect(typeOf('高血压')).toBe('disease');
    expect(typeOf('氨氯地平')).toBe('drug');
    expect(marks.find((m) => m.text === '糖尿病')?.classes).toContain('negative');
    expect(new Set(marks.filter((m) => m.type === 'disease').map((m) => m.colour)).size).toBe(1);
    expect(marks.find((m) => m.type === 'disease')?.colour).not.toBe(marks.find((m) => m.type === 'drug')?.colour);
    // Every character of the report is shown once, in order.
    expect(await page.locator('#annotated').textContent()).toBe(REPORT);
    expect(await page.locator('#legend').textContent()).toContain('疾病 disease');
    expect(JSON.parse(await page.locator('#raw').textContent() ?? '{}').entities.length).toBe(marks.length);
    expect(await page.evaluate("sessionStorage.getItem('medstruct.apiKey')")).toBe(key);
    expect(external).toEqual([]);

    mkdirSync('.tmp', { recursive: true });
    await page.screenshot({ path: '.tmp/web-try-entities.png', fullPage: true });
  });

  it('shows the fields of a structured report as a table', async () => {
    await page.getByRole('button', { name: 'Sample report 示例报告' }).click();
    await page.getByLabel('Structure 结构化').check();
    await page.getByRole('button', { name: 'Run 运行' }).click();
    await page.locator('#fields table').first().waitFor();
    expect(await page.locator('#summary').textContent()).toMatch(/Report type/);
    expect(await page.locator('#fields th').first().textContent()).toBe('Field 字段');
    expect(await page.locator('#fields').textContent()).toContain('李建国');
    await page.screenshot({ path: '.tmp/web-try-structure.png', fullPage: true });
  });

  it('de-identifies a text, marking what it masked', async () => {
    await page.getByLabel('Report text 报告文本').fill('患者王秀英，女，52岁，联系电话13912345678。');
    await page.getByLabel('De-identify 脱敏').check();
    await page.getByRole('button', { name: 'Run 运行' }).click();
    await page.locator('#annotated mark.ent').first().waitFor();
    const masked = await page.locator('#annotated mark.ent').evaluateAll((nodes) => nodes.map((n) => [n.textContent, n.getAttribute('data-type')]));
    expect(masked).toEqual(expect.arrayContaining([['13912345678', 'phone']]));
    const deidentified = await page.getByRole('table', { name: 'De-identified text 脱敏文本' }).locator('td').textContent();
    expect(deidentified).toMatch(/^患者＊+，女，52岁，联系电话＊{11}。$/);
  });

  it('reads the text of an uploaded PDF, then classifies it', async () => {
    const pdf = makePdf([{ texts: [
      { x: 60, y: 80, size: 14, text: '胸部CT平扫报告' },
      { x: 60, y: 120, size: 12, text: '检查所见：双肺纹理清晰，未见明显实质性病变。纵隔居中。' },
      { x: 60, y: 150, size: 12, text: '诊断意见：胸部CT平扫未见明显异常。' },
    ] }]);
    await page.getByLabel('…or an image / PDF 图片或 PDF').setInputFiles({ name: 'ct.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.getByLabel('Classify 分类').check();
    await page.getByRole('button', { name: 'Run 运行' }).click();
    await page.locator('#summary dl').waitFor();
    expect(await page.getByLabel('Report text 报告文本').inputValue()).toContain('诊断意见：胸部CT平扫未见明显异常。');
    expect(await page.locator('#summary').textContent()).toContain('MRS code 347');
    await page.getByRole('button', { name: 'Clear file' }).click();
  });

  it('shows an API error with its code, and keeps working at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel('API key').fill('msk_wrong');
    await page.getByLabel('Report text 报告文本').fill(REPORT);
    await page.getByLabel('Entities 实体').check();
    await page.getByRole('button', { name: 'Run 运行' }).click();
    const error = page.getByRole('alert');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/UNAUTHENTICATED — Missing or invalid API key\s*HTTP 401/);
    expect(await page.locator('#annotated').isHidden()).toBe(true);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '.tmp/web-try-error-phone.png', fullPage: true });
  });
});
