/** GB 11643-1999 resident identity numbers: 6-digit region, 8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2 check. */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
/** First two digits of the province-level region codes. */
const PROVINCE_CODES = new Set(['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37', '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82', '91']);

export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

export function hasProvinceCode(digits: string): boolean {
  return PROVINCE_CODES.has(digits.slice(0, 2));
}

/** True for an 18-character number whose birth date is real and whose check character matches. */
export function isValidId18(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  if (!hasProvinceCode(id)) return false;
  const year = Number(id.slice(6, 10));
  if (year < 1880 || year > 2100 || !isValidDate(year, Number(id.slice(10, 12)), Number(id.slice(12, 14)))) return false;
  return idCheckChar(id.slice(0, 17)) === id[17]!.toUpperCase();
}

/** True for an 18-digit number shaped like an identity number (region and birth date plausible), whatever its check digit. */
export function looksLikeId18(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id) || !hasProvinceCode(id)) return false;
  const year = Number(id.slice(6, 10));
  return year >= 1880 && year <= 2100 && isValidDate(year, Number(id.slice(10, 12)), Number(id.slice(12, 14)));
}

/** The first-generation 15-digit number: region, YYMMDD, 3-digit sequence. */
export function looksLikeId15(id: string): boolean {
  if (!/^\d{15}$/.test(id) || !hasProvinceCode(id)) return false;
  return isValidDate(1900 + Number(id.slice(6, 8)), Number(id.slice(8, 10)), Number(id.slice(10, 12)));
}
