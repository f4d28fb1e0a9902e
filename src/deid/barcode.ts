export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const TILE = 16;
/** Grey-level step that counts as a bar or module edge. */
const EDGE = 80;

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Barcodes and QR codes as boxes. The image is cut into 16-pixel tiles; a tile is busy when it is
 * black-and-white (not a photograph or an ultrasound frame), a fifth to almost all dark, and crossed
 * by sharp edges. A solid block of busy tiles that is not recognized text (`textBoxes`) is a code;
 * rules and table borders are too thin to form a block.
 */
export function findBarcodes(data: Buffer, width: number, height: number, channels: number, textBoxes: Box[]): Box[] {
  const gray = new Uint8Array(width * height);
  for (let i = 0, o = 0; i < gray.length; i++, o += channels) {
    gray[i] = channels >= 3 ? (data[o]! * 299 + data[o + 1]! * 587 + data[o + 2]! * 114) / 1000 : data[o]!;
  }
  const cols = Math.floor(width / TILE), rows = Math.floor(height / TILE);
  const busy = new Uint8Array(cols * rows);
  const shielded = textBoxes.map((b) => ({ x: b.x - 4, y: b.y - 4, width: b.width + 8, height: b.height + 8 }));
  const area = TILE * TILE;
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < cols; tx++) {
      const tile = { x: tx * TILE, y: ty * TILE, width: TILE, height: TILE };
      if (shielded.some((b) => overlaps(b, tile))) continue;
      let edges = 0, dark = 0, extreme = 0;
      for (let y = tile.y; y < tile.y + TILE; y++) {
        for (let x = tile.x; x < tile.x + TILE; x++) {
          const g = gray[y * width + x]!;
          if (g < 128) dark++;
          if (g < 70 || g > 185) extreme++;
          const right = x + 1 < width ? gray[y * width + x + 1]! : g;
          const below = y + 1 < height ? gray[(y + 1) * width + x]! : g;
          if (Math.abs(g - right) > EDGE || Math.abs(g - below) > EDGE) edges++;
        }
      }
      if (extreme >= 0.8 * area && dark >= 0.2 * area && dark <= 0.97 * area && edges >= TILE) busy[ty * cols + tx] = 1;
    }
  }
  // Join busy tiles up to two tiles apart (white runs inside a code), then take connected blocks.
  const label = new Int32Array(cols * rows).fill(-1);
  const boxes: Box[] = [];
  for (let start = 0; start < busy.length; start++) {
    if (!busy[start] || label[start]! >= 0) continue;
    const stack = [start];
    label[start] = start;
    let minX = cols, minY = rows, maxX = -1, maxY = -1, count = 0;
    while (stack.length > 0) {
      const t = stack.pop()!;
      const tx = t % cols, ty = (t - tx) / cols;
      count++;
      minX = Math.min(minX, tx); maxX = Math.max(maxX, tx); minY = Math.min(minY, ty); maxY = Math.max(maxY, ty);
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          const nx = tx + dx, ny = ty + dy;
          if (nx < 0 || ny < 0 || nx >= cols || ny >= rows) continue;
          const n = ny * cols + nx;
          if (busy[n] && label[n]! < 0) { label[n] = start; stack.push(n); }
        }
      }
    }
    const w = maxX - minX + 1, h = maxY - minY + 1;
    if (w < 3 || h < 2 || count < 0.3 * w * h) continue;
    const x = Math.max(0, (minX - 1) * TILE), y = Math.max(0, (minY - 1) * TILE);
    boxes.push({ x, y, width: Math.min(width, (maxX + 2) * TILE) - x, height: Math.min(height, (maxY + 2) * TILE) - y });
  }
  return boxes;
}
