import { seededRandom } from '../util/random.js';
import { idCheckChar } from './idcard.js';
import { deidResources, type SurrogateFile } from './resources.js';
import type { PhiType } from './types.js';

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnpqrstuvwxyz';

const CN_DIGITS = '〇一二三四五六七八九';

/** 1–31 in Chinese numerals: 五, 十, 十一, 二十七. */
function chineseNumber(n: number): string {
  const tens = Math.floor(n / 10);
  const ones = n % 10 === 0 ? '' : CN_DIGITS[n % 10]!;
  return tens === 0 ? ones : `${tens === 1 ? '' : CN_DIGITS[tens]}十${ones}`;
}

/** 二〇二三年十一月二十七日 → [2023, 11, 27], or null. */
function parseChineseDate(text: string): [number, number, number] | null {
  const m = /^([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]$/.exec(text);
  if (!m) return null;
  const digit = (ch: string): number => (ch === '零' || ch === '○' ? 0 : CN_DIGITS.indexOf(ch));
  const small = (t: string): number => {
    const ten = t.indexOf('十');
    if (ten < 0) return digit(t);
    return (ten === 0 ? 1 : digit(t[0]!)) * 10 + (ten === t.length - 1 ? 0 : digit(t[ten + 1]!));
  };
  return [Number(Array.from(m[1]!, digit).join('')), small(m[2]!), small(m[3]!)];
}

/**
 * Fake values of the same shape as the originals, consistent within one document: the same original
 * always gets the same surrogate, different originals get different ones, dates move by one offset.
 */
export class SurrogateFactory {
  private readonly random: () => number;
  private readonly pools: SurrogateFile;
  private readonly given = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly dayShift: number;

  constructor(seed: number = Math.floor(Math.random() * 2 ** 32)) {
    this.random = seededRandom(seed);
    this.pools = deidResources().surrogates;
    const days = 30 + Math.floor(this.random() * 150);
    this.dayShift = this.random() < 0.5 ? -days : days;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private digit(nonZero = false): string {
    return String(nonZero ? 1 + Math.floor(this.random() * 9) : Math.floor(this.random() * 10));
  }

  /** The surrogate for `text` of PHI `type`, created on first use. */
  surrogate(type: PhiType, text: string): string {
    const key = `${type === 'relative_name' || type === 'staff_name' ? 'patient_name' : type}\u0000${text}`;
    const known = this.given.get(key);
    if (known !== undefined) return known;
    let value = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      value = this.create(type, text);
      if (value !== text && !this.used.has(value)) break;
    }
    this.given.set(key, value);
    this.used.add(value);
    return value;
  }

  private create(type: PhiType, text: string): string {
    switch (type) {
      case 'patient_name':
      case 'relative_name':
      case 'staff_name':
        return this.name(text);
      case 'id_card':
        return this.idCard(text);
      case 'phone':
        return this.phone(text);
      case 'email':
        return `user${100 + Math.floor(this.random() * 900)}@${this.pick(this.pools.email_domains)}`;
      case 'address':
        return `${this.pick(this.pools.places)}${this.pick(this.pools.streets)}${1 + Math.floor(this.random() * 300)}号`;
      case 'hospital':
        return this.pick(this.pools.hospital_names);
      case 'date':
        return this.shiftDate(text);
      case 'age':
        return /岁/.test(text) ? '90岁以上' : '>89';
      case 'license_plate':
        return `${this.pick(this.pools.plate_provinces)}${this.pick([...UPPER])}${Array.from({ length: 5 }, () => this.digit()).join('')}`;
      default:
        return this.sameShape(text);
    }
  }

  private name(text: string): string {
    if (/^[A-Za-z]/.test(text)) return this.pick(['Alex Lee', 'Sam Chen', 'Jo Wang', 'Kim Liu', 'Max Zhao']);
    if (/[·•・]/.test(text)) return `${this.pick(this.pools.foreign_given)}·${this.pick(this.pools.foreign_family)}`;
    const chars = Array.from(text);
    const compound = deidResources().compoundSurnames.has(chars.slice(0, 2).join('')) && chars.length >= 3;
    if (chars.length === 1) return this.pick(this.pools.surnames);
    const surname = compound ? this.pick(this.pools.compound_surnames) : this.pick(this.pools.surnames);
    const givenLength = Math.max(1, chars.length - (compound ? 2 : 1));
    let given = '';
    for (let i = 0; i < givenLength; i++) given += this.pick(this.pools.given_chars);
    return surname + given;
  }

  private idCard(text: string): string {
    const digits = text.replace(/[^\dXx]/g, '');
    const region = this.pick(this.pools.id_regions);
    const month = String(1 + Math.floor(this.random() * 12)).padStart(2, '0');
    const day = String(1 + Math.floor(this.random() * 28)).padStart(2, '0');
    const sequence = `${this.digit()}${this.digit()}${this.digit()}`;
    let fresh: string;
    if (digits.length === 15) fresh = `${region}${digits.slice(6, 8)}${month}${day}${sequence}`;
    else {
      const year = /^(18|19|20)\d\d$/.test(digits.slice(6, 10)) ? digits.slice(6, 10) : '1970';
      const first17 = `${region}${year}${month}${day}${sequence}`;
      fresh = first17 + idCheckChar(first17);
    }
    return this.fillDigits(text, fresh, /[\dXx]/);
  }

  private phone(text: string): string {
    const digits = text.replace(/\D/g, '');
    const national = digits.replace(/^(?:00)?86(?=1[3-9]\d{9}$)/, '');
    const prefixLength = digits.length - national.length;
    let fresh: string;
    if (/^1[3-9]\d{9}$/.test(national)) {
      fresh = `1${this.pick(['3', '5', '7', '8', '9'])}${Array.from({ length: 9 }, () => this.digit()).join('')}`;
    } else if (national.startsWith('0')) {
      const area = /^0(?:10|2\d)/.test(national) ? 3 : 4;
      fresh = national.slice(0, area) + this.digit(true) + Array.from({ length: national.length - area - 1 }, () => this.digit()).join('');
    } else {
      fresh = this.digit(true) + Array.from({ length: national.length - 1 }, () => this.digit()).join('');
    }
    return this.fillDigits(text, digits.slice(0, prefixLength) + fresh, /\d/);
  }

  /** Writes `fresh` into the positions of `text` that match `slot`, keeping separators and brackets. */
  private fillDigits(text: string, fresh: string, slot: RegExp): string {
    let i = 0;
    let out = '';
    for (const ch of text) {
      if (slot.test(ch) && i < fresh.length) out += fresh[i++];
      else out += ch;
    }
    return out + fresh.slice(i);
  }

  private sameShape(text: string): string {
    let out = '';
    for (const ch of text) {
      if (/\d/.test(ch)) out += this.digit();
      else if (/[A-Z]/.test(ch)) out += this.pick([...UPPER]);
      else if (/[a-z]/.test(ch)) out += this.pick([...LOWER]);
      else out += ch;
    }
    return out;
  }

  /** Moves a date by the document's offset, keeping its format (2023年3月5日, 2023-03-05 08:30, 3月5日, 2023年3月, 二〇二三年三月五日). */
  private shiftDate(text: string): string {
    const chinese = parseChineseDate(text);
    if (chinese) {
      const d = this.shifted(...chinese);
      const year = Array.from(String(d.getUTCFullYear()), (digit) => CN_DIGITS[Number(digit)]).join('');
      return `${year}年${chineseNumber(d.getUTCMonth() + 1)}月${chineseNumber(d.getUTCDate())}${text.slice(-1)}`;
    }
    const m = /^(?:(\d{4})(\s*[年./-]\s*))?(\d{1,2})(\s*[月./-]\s*)(?:(\d{1,2})(\s*[日号]?))?([\s\S]*)$/.exec(text);
    const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
    if (compact) {
      const d = this.shifted(Number(compact[1]), Number(compact[2]), Number(compact[3]));
      return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    }
    if (!m) return this.sameShape(text);
    const [, year, ySep = '', month, mSep, day, dSep = '', rest = ''] = m;
    const pad = (value: number, like: string | undefined): string => (like && like.length === 2 ? String(value).padStart(2, '0') : String(value));
    if (day === undefined) {
      const total = Number(year ?? 2000) * 12 + Number(month) - 1 + Math.round(this.dayShift / 30);
      return `${year === undefined ? '' : Math.floor(total / 12) + ySep}${pad((total % 12) + 1, month)}${mSep}${rest}`;
    }
    const d = this.shifted(Number(year ?? 2001), Number(month), Number(day));
    return `${year === undefined ? '' : d.getUTCFullYear() + ySep}${pad(d.getUTCMonth() + 1, month)}${mSep}${pad(d.getUTCDate(), day)}${dSep}${rest}`;
  }

  private shifted(year: number, month: number, day: number): Date {
    return new Date(Date.UTC(year, month - 1, day) + this.dayShift * 86_400_000);
  }
}
