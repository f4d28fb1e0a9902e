export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const TILE = 16;
const AREA = TILE * TILE;
const NOT_CODE = 0, CODE = 1, EDGE_ACROSS_ROWS = 2, EDGE_ACROSS_COLUMNS = 3;

/**
 * A tile of a printed code, judged against its own ink and paper levels (so shadows and grey paper in
 * photographs do not matter): enough contrast, most pixels near one of the two levels (printed, not a
 * photograph or an ultrasound frame), some ink but not all, and many ink/paper changes along its rows
 * and columns (bars and modules, not a single edge such as a rule or the border of the paper); or
 * the stripes of a 1D code, many changes across and almost none along. Returns CODE, NOT_CODE, or for
 * a single straight edge (a wide bar, but also a rule or the paper border) the direction it is crossed in.
 */
function codeLike(gray: Uint8Array, width: number, x0: number, y0: number): number {
  let min = 255, max = 0;
  for (let y = y0; y < y0 + TILE; y++) {
    for (let x = x0; x < x0 + TILE; x++) {
      const g = gray[y * width + x]!;
      if (g < min) min = g;
      if (g > max) max = g;
    }
  }
  const contrast = max - min;
  if (contrast < 60) return NOT_CODE;
  const mid = (min + max) / 2, near = 0.3 * contrast;
  let dark = 0, extreme = 0, rowChanges = 0, colChanges = 0;
  for (let y = y0; y < y0 + TILE; y++) {
    let previous = gray[y * width + x0]! < mid;
    for (let x = x0; x < x0 + TILE; x++) {
      const g = gray[y * width + x]!;
      const ink = g < mid;
      if (ink) dark++;
      if (g < min + near || g > max - near) extreme++;
      if (ink !== previous) rowChanges++;
      previous = ink;
    }
  }
  for (let x = x0; x < x0 + TILE; x++) {
    let previous = gray[y0 * width + x]! < mid;
    for (let y = y0; y < y0 + TILE; y++) {
      const ink = gray[y * width + x]! < mid;
      if (ink !== previous) colChanges++;
      previous = ink;
    }
  }
  if (dark < 0.15 * AREA || dark > 0.95 * AREA) return NOT_CODE;
  if (extreme >= 0.7 * AREA && rowChanges + colChanges >= 24) return CODE;
  // Stripes one way, almost nothing the other, even when blur greys the edges: thin bars are a code;
  // a single edge (a wide bar, but also a rule or the border of the paper) only extends a code next to it.
  const across = Math.max(rowChanges, colChanges), along = Math.min(rowChanges, colChanges);
  if (along > 0.15 * across) return NOT_CODE;
  if (across >= 2 * TILE) return CODE;
  if (across < TILE) return NOT_CODE;
  return rowChanges >= colChanges ? EDGE_ACROSS_ROWS : EDGE_ACROSS_COLUMNS;
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Barcodes and QR codes as boxes, by stripe density: the image is cut into 16-pixel tiles, code-like
 * tiles (see codeLike) that are not recognized text (`textBoxes`) and lie close together form a block,
 * and a block at least 3×3 tiles, not a long thin line (a rule) and a third filled is a code.
 */
export function findBarcodes(data: Buffer, width: number, height: number, channels: number, textBoxes: Box[]): Box[] {
  const gray = new Uint8Array(width * height);
  for (let i = 0, o = 0; i < gray.length; i++, o += channels) {
    gray[i] = channels >= 3 ? (data[o]! * 299 + data[o + 1]! * 587 + data[o + 2]! * 114) / 1000 : data[o]!;
  }
  const cols = Math.floor(width / TILE), rows = Math.floor(height / TILE);
  const busy = new Uint8Array(cols * rows);
  const shielded = textBoxes.map((b) => ({ x: b.x - 4, y: b.y - 4, width: b.width + 8, height: b.height + 8 }));
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < cols; tx++) {
      const tile = { x: tx * TILE, y: ty * TILE, width: TILE, height: TILE };
      if (shielded.some((b) => overlaps(b, tile))) continue;
      busy[ty * cols + tx] = codeLike(gray, width, tile.x, tile.y);
    }
  }
  // Join code tiles up to two tiles apart (white runs inside a code) into blocks. Edge tiles (wide
  // bars) join a block beside them and extend it only across their edges, the way the bars follow one
  // another, so a rule or the paper border never grows a block along its length.
  const label = new Int32Array(cols * rows).fill(-1);
  const boxes: Box[] = [];
  for (let start = 0; start < busy.length; start++) {
    if (busy[start] !== CODE || label[start]! >= 0) continue;
    const stack = [start];
    label[start] = start;
    let minX = cols, minY = rows, maxX = -1, maxY = -1, count = 0;
    while (stack.length > 0) {
      const t = stack.pop()!;
      const tx = t % cols, ty = (t - tx) / cols;
      count++;
      minX = Math.min(minX, tx); maxX = Math.max(maxX, tx); minY = Math.min(minY, ty); maxY = Math.max(maxY, ty);
      const kind = busy[t]!;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const nx = tx + dx, ny = ty + dy;
          if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
          const n = ny * cols + nx;
          const other = busy[n]!;
          if (other === NOT_CODE || label[n]! >= 0) continue;
          let reach: boolean;
          if (kind === CODE) reach = other === CODE || (Math.abs(dx) <= 1 && Math.abs(dy) <= 1);
          else if (kind === EDGE_ACROSS_ROWS) reach = dy === 0 && (other === CODE || other === EDGE_ACROSS_ROWS);
          else reach = dx === 0 && (other === CODE || other === EDGE_ACROSS_COLUMNS);
          if (reach) { label[n] = start; stack.push(n); }
        }
      }
    }
    const w = maxX - minX + 1, h = maxY - minY + 1;
    if (w < 3 || h < 3 || w > 12 * h || h > 12 * w || count < 0.3 * w * h) continue;
    // Three tiles of margin sideways (inside a code's quiet zone): an outermost bar may stand alone
    // beyond a wide white run.
    const x = Math.max(0, (minX - 3) * TILE), y = Math.max(0, (minY - 1) * TILE);
    boxes.push({ x, y, width: Math.min(width, (maxX + 4) * TILE) - x, height: Math.min(height, (maxY + 2) * TILE) - y });
  }
  return mergeNearby(boxes);
}

/** Boxes of one code split by a wide white run: merged when at most two tiles apart. */
function mergeNearby(boxes: Box[]): Box[] {
  const out = [...boxes];
  for (let merged = true; merged;) {
    merged = false;
    for (let i = 0; i < out.length && !merged; i++) {
      for (let j = i + 1; j < out.length && !merged; j++) {
        const a = out[i]!, b = out[j]!;
        const gapX = Math.max(a.x, b.x) - Math.min(a.x + a.width, b.x + b.width);
        const gapY = Math.max(a.y, b.y) - Math.min(a.y + a.height, b.y + b.height);
        if (gapX > 2 * TILE || gapY > 2 * TILE) continue;
        const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
        out[i] = { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
        out.splice(j, 1);
        merged = true;
      }
    }
  }
  return out;
}
