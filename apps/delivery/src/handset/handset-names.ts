/**
 * What a handset name says about the phone: the DEVICE a partner sent, or what a carrier's delivery
 * report named (a UAProf URL, a model code, a user-agent fragment). Only two kinds matter to the
 * handset classes: a smartphone takes a modern class, a feature phone a small one; a name that
 * says neither is unknown (the carrier connector decides).
 */
export type HandsetKind = 'smartphone' | 'feature-phone';

interface NameRule {
  readonly kind: HandsetKind;
  readonly pattern: RegExp;
  /** Names of today's handsets the rule is for (the unit test reads each one back). */
  readonly examples: readonly string[];
}

/**
 * First match wins, so the smartphone rules, whose tokens no feature phone carries, come before the
 * feature-phone words ("flip", "classic") that some smartphones' names also contain.
 * Letters-only lookarounds instead of \b let a model number follow directly ("iOS17", "Pixel8").
 */
export const HANDSET_NAME_RULES: readonly NameRule[] = [
  // Apple: DEVICE values, UAProf-style names and user agents ("iPhoneOS" is the API docs' own).
  { kind: 'smartphone', pattern: /iphone|(?<![a-z])(?:ipad)?ios(?![a-z])|ipados|apple/i, examples: ['iPhoneOS', 'Apple iPhone', 'iPhone15,2', 'iOS 17.4', 'iPadOS'] },
  // Android and its vendors' own names for it.
  { kind: 'smartphone', pattern: /android|harmonyos|(?<![a-z])(?:one ?ui|miui|hyperos|coloros|emui)(?![a-z])/i, examples: ['Android 14', 'Mozilla/5.0 (Linux; Android 14; SM-S918B)', 'HarmonyOS 4', 'MIUI 14'] },
  // Samsung Galaxy: the name, and the model codes UAProf carries (SM-S918B = Galaxy S23 Ultra,
  // SM-A546E = A54, SM-F731B = Z Flip5; GT-I/GT-N = older Galaxy S and Note). SM-B is Samsung's
  // feature-phone line (SM-B310E Guru), so it is left to the feature-phone rules.
  { kind: 'smartphone', pattern: /galaxy|(?<![a-z])sm-[ac-z]\d{3}|(?<![a-z])gt-[in]\d{4}/i, examples: ['Galaxy S24', 'SM-S918B', 'http://wap.samsungmobile.com/uaprof/SM-A546E.xml', 'GT-I9300', 'Galaxy Z Flip5'] },
  // Google and the other Android makers' current lines.
  {
    kind: 'smartphone',
    pattern:
      /pixel|nexus|oneplus|xiaomi|redmi|(?<![a-z])poco(?![a-z])|huawei|(?<![a-z])(?:honor|oppo|vivo)(?![a-z])|realme|moto ?[gez]\d|motorola (?:edge|razr|one)|fairphone|nothing phone/i,
    examples: ['Pixel 8', 'Pixel8Pro', 'Nexus 5X', 'OnePlus 12', 'Redmi Note 13', 'moto g54', 'motorola edge 40', 'Fairphone 5'],
  },
  { kind: 'smartphone', pattern: /smart ?phone|windows phone/i, examples: ['smartphone', 'Windows Phone 8.1'] },
  // Feature phones: Nokia's Series 40 / Series 30+, KaiOS (JioPhone, Nokia 2780 Flip), Samsung's
  // SM-B line, and the plain words partners use.
  {
    kind: 'feature-phone',
    pattern: /(?<![a-z])s(?:eries ?)?(?:30\+?|40)(?![0-9])|kaios|jiophone|(?<![a-z])sm-b\d{3}|feature|basic|classic|flip/i,
    examples: ['Nokia S40', 'Nokia Series 40', 'Nokia 105 S30+', 'KaiOS 2.5', 'JioPhone', 'SM-B310E', 'basic feature phone', 'Nokia 2780 Flip'],
  },
];

/** The kind a handset name says, or null when it says neither. */
export function handsetKindOf(name: string | null | undefined): HandsetKind | null {
  if (!name) return null;
  return HANDSET_NAME_RULES.find((rule) => rule.pattern.test(name))?.kind ?? null;
}
