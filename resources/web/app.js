// medstruct try-it page: calls the native API of the server that serves it. No dependencies.
'use strict';

const KEY_STORAGE = 'medstruct.apiKey';

const SAMPLE_REPORT = [
  '入院记录',
  '姓名：李建国  性别：男  年龄：67岁  住院号：20231187',
  '主诉：反复胸闷、气短3年，加重伴双下肢水肿1周。',
  '现病史：患者3年前无明显诱因出现活动后胸闷、气短，休息后可缓解，未予重视。1周前受凉后上述症状加重，伴咳嗽、咳白色泡沫痰，夜间不能平卧，双下肢水肿。无发热，无胸痛，无咯血。',
  '既往史：高血压病史10年，最高180/100mmHg，长期口服硝苯地平控释片30mg qd；否认糖尿病史，否认肝炎、结核病史。',
  '体格检查：T 36.8℃，P 96次/分，R 22次/分，BP 156/92mmHg。双肺底可闻及湿啰音，心率96次/分，律齐。双下肢凹陷性水肿。',
  '辅助检查：NT-proBNP 3560pg/ml。胸部CT：双肺下叶少许渗出，考虑肺部感染可能；心影增大。',
  '初步诊断：1.慢性心力衰竭急性加重 心功能III级；2.高血压3级（很高危）；3.肺部感染？',
].join('\n');

// One colour per unified entity type; other types (de-identification's) take the spare ones in turn.
const TYPE_COLOURS = {
  disease: '#d92d20', symptom: '#e67700', drug: '#0e9384', anatomy: '#3b6fd6', lab_test: '#7a5af8',
  exam: '#c11574', procedure: '#4e8a16', equipment: '#667085', microbe: '#a15c07', department: '#0086c9',
  hospital: '#6941c6', region: '#2e7d32', population: '#b54708', age: '#ad1457', person: '#c4320a',
  time: '#475467', measurement: '#087443', location: '#155eef',
};
const SPARE_COLOURS = ['#d92d20', '#155eef', '#0e9384', '#c11574', '#e67700', '#6941c6', '#4e8a16', '#a15c07'];

const $ = (id) => document.getElementById(id);
let typeNames = {};

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of [].concat(children)) node.append(child);
  return node;
}

function colourOf(type, spareByType) {
  if (TYPE_COLOURS[type]) return TYPE_COLOURS[type];
  if (!spareByType.has(type)) spareByType.set(type, SPARE_COLOURS[spareByType.size % SPARE_COLOURS.length]);
  return spareByType.get(type);
}

const labelOf = (type) => (typeNames[type] ? `${typeNames[type]} ${type}` : type);

/**
 * The text with its spans as nested <mark>s. Offsets are Unicode code points, end exclusive; a span
 * that crosses an earlier one (rather than nesting in it) is left out.
 */
function annotate(text, spans, colours) {
  const chars = Array.from(text);
  const sorted = spans
    .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.start < s.end && s.end <= chars.length)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const root = { end: chars.length, node: document.createDocumentFragment(), pos: 0 };
  const stack = [root];
  const flushTo = (frame, upTo) => {
    if (upTo > frame.pos) frame.node.append(chars.slice(frame.pos, upTo).join(''));
    frame.pos = Math.max(frame.pos, upTo);
  };
  const close = () => {
    const frame = stack.pop();
    flushTo(frame, frame.end);
    const parent = stack[stack.length - 1];
    parent.node.append(frame.node);
    parent.pos = frame.end;
  };
  for (const span of sorted) {
    while (stack.length > 1 && stack[stack.length - 1].end <= span.start) close();
    const parent = stack[stack.length - 1];
    if (span.start < parent.pos || span.end > parent.end) continue;
    flushTo(parent, span.start);
    const certainty = span.assertion && span.assertion.certainty;
    const classes = ['ent'];
    if (certainty === 'negative' || certainty === 'possible') classes.push(certainty);
    const title = [labelOf(span.type), certainty && certainty !== 'positive' ? certainty : '', span.link ? `→ ${span.link.name}${span.link.codes && span.link.codes.icd10 ? ` (${span.link.codes.icd10})` : ''}` : '']
      .filter(Boolean).join(' · ');
    const mark = el('mark', { class: classes.join(' '), 'data-type': span.type, title });
    mark.style.setProperty('--c', colours(span.type));
    stack.push({ end: span.end, node: mark, pos: span.start });
  }
  while (stack.length > 1) close();
  flushTo(root, chars.length);
  return root.node;
}

function showLegend(types, colours, withAssertions) {
  const legend = $('legend');
  legend.replaceChildren();
  for (const type of types) {
    const swatch = el('i', { 'aria-hidden': 'true' });
    swatch.style.setProperty('--c', colours(type));
    legend.append(el('span', { 'data-type': type }, [swatch, labelOf(type)]));
  }
  if (withAssertions) {
    legend.append(el('span', { class: 'negative', text: '否定 negated' }));
    legend.append(el('span', { class: 'possible', text: '可能 possible' }));
  }
  legend.hidden = types.length === 0;
}

function showSpans(text, spans, withAssertions) {
  const spare = new Map();
  const colours = (type) => colourOf(type, spare);
  const types = [...new Set(spans.map((s) => s.type))];
  showLegend(types, colours, withAssertions && spans.some((s) => s.assertion));
  const box = $('annotated');
  box.replaceChildren(annotate(text, spans, colours));
  box.hidden = false;
}

function summary(pairs) {
  const list = el('dl', { class: 'summary' });
  for (const [name, value] of pairs) list.append(el('dt', { text: name }), el('dd', { text: value }));
  $('summary').append(list);
}

const SAME = Symbol('same as the value');

/** A table cell: null is shown as a dash, SAME as a ditto mark, a dotted field name may wrap after its dots. */
function cell(content) {
  if (content === null || content === undefined || content === '') return el('td', { class: 'empty', text: '—' });
  if (content === SAME) return el('td', { class: 'empty', text: '〃', title: 'Same as the value' });
  return el('td', {}, String(content).split(/(?<=[.\]])/).flatMap((part, i) => (i === 0 ? [part] : [el('wbr'), part])));
}
function table(caption, headers, rows) {
  const head = el('tr', {}, headers.map((h) => el('th', { scope: 'col', text: h })));
  const body = rows.map((cells) => el('tr', {}, cells.map(cell)));
  $('fields').append(el('div', { class: 'table-wrap' }, el('table', {}, [el('caption', { text: caption }), el('thead', {}, head), el('tbody', {}, body)])));
}

/** Field rows (name, value, normalized, evidence) of a nested fields object. */
function fieldRows(value, name, rows) {
  if (value === null || value === undefined) rows.push([name, null, null, null]);
  else if (Array.isArray(value)) {
    if (value.length === 0) rows.push([name, null, null, null]);
    value.forEach((item, i) => fieldRows(item, `${name}[${i + 1}]`, rows));
  } else if (typeof value === 'object' && 'value' in value && 'src' in value) {
    const shown = String(value.value);
    const normalized = value.normalized == null ? null : String(value.normalized);
    rows.push([name, shown, normalized === shown ? SAME : normalized, value.src === shown ? SAME : value.src]);
  } else if (typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) fieldRows(inner, name ? `${name}.${key}` : key, rows);
  } else rows.push([name, String(value), null, null]);
  return rows;
}

function showType(type) {
  const alternatives = (type.alternatives || []).map((a) => `${a.name || a.type} ${Math.round((a.confidence ?? 0) * 100)}%`).join('，');
  summary([
    ['Report type 报告类型', `${type.name} (${type.type}${type.subtype ? ` / ${type.subtype}` : ''}, MRS code ${type.code})`],
    ['Confidence 置信度', `${Math.round(type.confidence * 100)}%`],
    ...(alternatives ? [['Next likely 其他可能', alternatives]] : []),
  ]);
}

function render(action, text, body) {
  if (action === 'ner') {
    showSpans(text, body.entities, true);
    summary([['Entities 实体', String(body.entities.length)], ['Relations 关系', String((body.relations || []).length)]]);
  } else if (action === 'classify') {
    showType(body);
  } else if (action === 'structure') {
    showType(body.type);
    if (text) showSpans(text, body.entities, true);
    for (const [caption, fields] of [['Patient 患者', body.patient], ['Report 报告', body.report], ['Fields 字段', body.fields]]) {
      const rows = fieldRows(fields || {}, '', []);
      if (rows.length > 0) table(caption, ['Field 字段', 'Value 值', 'Normalized 标准化', 'Evidence 原文'], rows);
    }
    if (body.sections && body.sections.length > 0) table('Sections 段落', ['Key', 'Title 标题', 'Text 文本'], body.sections.map((s) => [s.key, s.title, s.text]));
  } else if (action === 'deidentify') {
    if (body.image) {
      $('fields').append(el('img', { class: 'masked', alt: 'The image with personal information boxed out', src: `data:${body.mime};base64,${body.image}` }));
    } else {
      showSpans(text, body.spans, false);
      table('De-identified text 脱敏文本', ['Text'], [[body.text]]);
    }
    table('Masked spans 脱敏片段', ['Type 类型', 'Category', 'Original 原文', 'Replacement'], body.spans.map((s) => [s.type, s.category, s.text, s.replacement ?? null]));
  }
}

class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }
}

async function call(path, key, payload) {
  const headers = { authorization: `Bearer ${key}` };
  let body = payload;
  if (!(payload instanceof FormData)) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(payload);
  }
  let response;
  try {
    response = await fetch(path, { method: 'POST', headers, body });
  } catch (error) {
    throw new ApiError(0, 'NETWORK', `The server could not be reached (${error.message})`);
  }
  const raw = await response.text();
  let json;
  try { json = JSON.parse(raw); } catch { json = null; }
  if (!response.ok) {
    const error = json && json.error;
    throw new ApiError(response.status, error ? error.code : `HTTP_${response.status}`, error ? error.message : raw.slice(0, 200), json && json.requestId);
  }
  return json;
}

/** The text of an image or PDF, read by the server's OCR (lines joined, pages apart). */
async function ocrText(key, file) {
  const form = new FormData();
  form.append('file', file, file.name);
  const reply = await call('v1/ocr', key, form);
  return reply.pages.map((page) => page.lines.map((line) => line.text).join('\n')).join('\n\n');
}

function resetResult() {
  for (const id of ['summary', 'fields', 'legend', 'annotated', 'raw']) $(id).replaceChildren();
  $('legend').hidden = true;
  $('annotated').hidden = true;
  $('raw-box').hidden = true;
  $('error').hidden = true;
}

function showError(error) {
  const box = $('error');
  const where = [error.status ? `HTTP ${error.status}` : '', error.requestId ? `request ${error.requestId}` : ''].filter(Boolean).join(', ');
  box.replaceChildren(el('strong', { text: error.code || 'ERROR' }), ` — ${error.message}`, ...(where ? [el('br'), el('small', { text: where })] : []));
  box.hidden = false;
  $('status').textContent = 'The call failed.';
}

async function run(event) {
  event.preventDefault();
  const key = $('key').value.trim();
  const action = new FormData($('form')).get('action');
  const file = $('file').files[0];
  let text = $('text').value;
  resetResult();
  if (!key) return showError({ code: 'NO_KEY', message: 'Paste an API key first.' });
  if (!file && text.trim() === '') return showError({ code: 'EMPTY_INPUT', message: 'Paste a report text or choose a file.' });
  sessionStorage.setItem(KEY_STORAGE, key);
  $('run').disabled = true;
  $('status').textContent = 'Working…';
  try {
    let reply;
    if (file && (action === 'structure' || action === 'deidentify')) {
      const form = new FormData();
      form.append('file', file, file.name);
      reply = await call(`v1/${action}`, key, form);
      text = '';
    } else {
      if (file) {
        $('status').textContent = 'Reading the file (OCR)…';
        text = await ocrText(key, file);
        $('text').value = text;
      }
      reply = await call(`v1/${action}`, key, { text });
    }
    render(action, text, reply);
    $('raw').textContent = JSON.stringify(reply, null, 2);
    $('raw-box').hidden = false;
    $('status').textContent = `Done: POST /v1/${action}`;
  } catch (error) {
    showError(error instanceof ApiError ? error : { code: 'CLIENT_ERROR', message: String(error && error.message) });
  } finally {
    $('run').disabled = false;
    // On a phone the result is below the form: bring it into view.
    if ($('result').getBoundingClientRect().top > window.innerHeight) $('result').scrollIntoView({ block: 'start' });
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('key').value = sessionStorage.getItem(KEY_STORAGE) || '';
  $('sample').addEventListener('click', () => { $('text').value = SAMPLE_REPORT; $('text').focus(); });
  $('file').addEventListener('change', () => { $('clear-file').hidden = $('file').files.length === 0; });
  $('clear-file').addEventListener('click', () => { $('file').value = ''; $('clear-file').hidden = true; });
  $('form').addEventListener('submit', run);
  fetch('try/types.json').then((r) => r.json()).then((names) => { typeNames = names; }).catch(() => { /* labels fall back to the type keys */ });
});
