import { MedstructError } from '../errors.js';

export type MediaKind = 'pdf' | 'image' | 'text';

function startsWith(bytes: Uint8Array, signature: number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  return signature.every((b, i) => bytes[at + i] === b);
}

const ascii = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

/** Image formats sharp decodes, by signature. */
function isImage(bytes: Uint8Array): boolean {
  return startsWith(bytes, [0xff, 0xd8, 0xff])
    || startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    || startsWith(bytes, ascii('GIF8'))
    || (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8))
    || startsWith(bytes, [0x49, 0x49, 0x2a, 0x00])
    || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])
    || (startsWith(bytes, ascii('ftyp'), 4) && /^(heic|heix|mif1|avif|heis)/.test(String.fromCharCode(...bytes.subarray(8, 12))));
}

/** Formats recognised by signature that medstruct cannot read. */
function isUnsupportedBinary(bytes: Uint8Array): boolean {
  return startsWith(bytes, ascii('BM')) && bytes.length > 26 && bytes[14]! >= 12 && bytes[15] === 0
    || startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])
    || startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0]);
}

/**
 * Decides what the bytes are from their content (magic bytes), not from the name or MIME type a client
 * sent; those only break ties for text. Binary content that is neither an image nor a PDF is UNSUPPORTED_MEDIA.
 */
export function detectMedia(bytes: Uint8Array, hint: { mime?: string; filename?: string } = {}): MediaKind {
  const head = bytes.subarray(0, 1024);
  const pdfAt = Buffer.from(head).indexOf('%PDF-');
  if (pdfAt >= 0 && pdfAt < 1024) return 'pdf';
  if (isImage(bytes)) return 'image';
  if (isUnsupportedBinary(bytes)) throw new MedstructError('UNSUPPORTED_MEDIA', `Unsupported file type${hint.filename ? `: ${hint.filename}` : ''}`);
  const declared = (hint.mime ?? '').toLowerCase();
  if (declared === 'application/pdf' || /\.pdf$/i.test(hint.filename ?? '')) throw new MedstructError('CORRUPT_PDF', 'The file is named or typed as a PDF but is not one');
  if (declared.startsWith('image/') || /\.(jpe?g|png|webp|tiff?|gif|heic)$/i.test(hint.filename ?? '')) throw new MedstructError('CORRUPT_IMAGE', 'The file is named or typed as an image but cannot be decoded');
  // Text has no NUL bytes outside UTF-16; binary blobs almost always do.
  const utf16 = startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]);
  if (!utf16 && head.includes(0)) throw new MedstructError('UNSUPPORTED_MEDIA');
  return 'text';
}
