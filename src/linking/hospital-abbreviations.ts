import { readJsonResource } from '../resources.js';

export interface HospitalAbbreviationRules {
  ordinals: Record<string, string>;
  universityPatterns: Array<{ suffix: string; short: string }>;
  institutionPrefixes: string[];
  prefixRewrites: Record<string, string>;
  regionSuffixes: string[];
  extraRegions: string[];
  genericCores: string[];
  minCoreLength: number;
}

export function loadHospitalAbbreviationRules(): HospitalAbbreviationRules {
  return readJsonResource<HospitalAbbreviationRules>('linking', 'hospital-abbreviations.json');
}

/**
 * Derives the nicknames people write for a hospital from its full name, by rule:
 * - university + ordinal (浙江大学医学院附属第一医院): 浙大一院, 浙一医院, 浙一, 浙江一院;
 * - a named hospital inside an institution (四川大学华西医院, 中国医学科学院北京协和医院): 华西医院, 华西,
 *   协和医院, 协和 (region prefixes stripped);
 * - a city's numbered hospital (上海市第六人民医院): 上海六院.
 * `regions` holds province/city/district names (with and without 省/市) to strip.
 */
export function hospitalAbbreviations(fullName: string, regions: ReadonlySet<string>, rules: HospitalAbbreviationRules): string[] {
  const out = new Set<string>();
  const name = fullName.replace(/[(（][^)）]*[)）]$/, '').trim();
  if (!name.endsWith('医院')) return [];
  const generic = new Set(rules.genericCores);
  const ordinal = Object.keys(rules.ordinals).join('');
  const stripRegion = (s: string): string => {
    let rest = s;
    for (let changed = true; changed; ) {
      changed = false;
      for (let len = Math.min(8, rest.length - 1); len >= 2; len--) {
        const head = rest.slice(0, len);
        if (regions.has(head)) { rest = rest.slice(len); changed = true; break; }
      }
    }
    return rest;
  };
  const regionCore = (s: string): string => {
    for (const suffix of rules.regionSuffixes) if (s.endsWith(suffix) && s.length > suffix.length + 1) return s.slice(0, -suffix.length);
    return s;
  };
  const addNamed = (named: string): void => {
    // `named` is like 北京协和医院 / 华西医院 / 湘雅二医院
    const local = stripRegion(named);
    const core = local.slice(0, -2);
    if (core.length < rules.minCoreLength || generic.has(core) || /^第/.test(core)) return;
    out.add(local);
    if (new RegExp(`[${ordinal}]$`).test(core)) out.add(`${core}院`);
    else out.add(core);
  };

  // University + ordinal hospital.
  for (const { suffix, short } of rules.universityPatterns) {
    const m = new RegExp(`^(.+?)${suffix}(?:医学院|医学部)?(?:附属)?第([${ordinal}])(附属)?医院$`).exec(name);
    if (!m) continue;
    const core = regionCore(m[1]!);
    const n = m[2]!;
    if (core.length < 2) break;
    out.add(`${core[0]}${short}${n}院`);
    out.add(`${core}${short}${n}院`);
    if (m[3]) out.add(`${core[0]}${short}${n}附院`);
    if (short === '大') {
      out.add(`${core[0]}${n}医院`);
      out.add(`${core[0]}${n}`);
      out.add(`${core}${n}院`);
    }
    break;
  }

  // A named hospital inside a university or institution.
  let rest = name;
  for (const prefix of rules.institutionPrefixes) {
    if (rest.startsWith(prefix)) {
      const rewrite = rules.prefixRewrites[prefix];
      if (rewrite !== undefined) out.add(rewrite + rest.slice(prefix.length));
      rest = rest.slice(prefix.length);
      break;
    }
  }
  const affiliated = /^(.+)(大学|学院|医学部)(?:附属)?(.+医院)$/.exec(rest);
  if (affiliated) {
    const named = affiliated[3]!;
    const local = stripRegion(named);
    const university = /^(.+?)大学/.exec(rest);
    if (!/^第/.test(named)) addNamed(named);
    // 北京大学人民医院 → 北大人民医院: a generic hospital name keeps its university's short form.
    if (university && generic.has(local.slice(0, -2)) && !local.startsWith('第')) {
      const uniCore = regionCore(university[1]!);
      if (uniCore.length >= 2) out.add(`${uniCore[0]}大${local}`);
    }
  } else if (rest !== name) {
    addNamed(rest);
  } else {
    addNamed(name);
  }

  // A city's numbered people's hospital: 上海市第六人民医院 → 上海六院.
  const numbered = new RegExp(`^(.+?)第([${ordinal}])人民医院$`).exec(name);
  if (numbered) {
    const city = regionCore(numbered[1]!);
    if (regions.has(numbered[1]!) || regions.has(city)) out.add(`${city}${numbered[2]}院`);
  }

  out.delete(name);
  out.delete(fullName);
  return [...out].filter((a) => a.length >= 2);
}
