/** Every string a learner reads exists in both languages; the type makes a missing one a compile error. */
export const LANGS = ['en', 'zh-TW'] as const;
export type Lang = (typeof LANGS)[number];
export type Text = Record<Lang, string>;

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/** `zh_TW.UTF-8`, `zh-Hant`, `zh_HK` → zh-TW; anything else → en. */
export function langFromLocale(locale: string | undefined): Lang {
  if (!locale) return 'en';
  const l = locale.toLowerCase().replace('_', '-');
  if (l.startsWith('zh-tw') || l.startsWith('zh-hant') || l.startsWith('zh-hk') || l.startsWith('zh-mo')) return 'zh-TW';
  return 'en';
}

export function say(text: Text, lang: Lang): string {
  return text[lang];
}

/** Fill `{name}` placeholders in both languages at once. */
export function fill(text: Text, vars: Record<string, string | number>): Text {
  const sub = (s: string) => s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
  return { en: sub(text.en), 'zh-TW': sub(text['zh-TW']) };
}

/** clack's own words (Yes/No of a confirm, "Canceled"), in the learner's language. */
export function promptWords(lang: Lang): { active: string; inactive: string; cancel: string; error: string } {
  return lang === 'zh-TW' ? { active: '是', inactive: '否', cancel: '已取消', error: '發生錯誤' } : { active: 'Yes', inactive: 'No', cancel: 'Canceled', error: 'Something went wrong' };
}

/** en, zh-TW, and how people write them (zh_TW, zh-tw, ZH-TW, en_US). */
export function normalizeLang(v: string): Lang | undefined {
  const l = v.trim().toLowerCase().replace('_', '-');
  if (l === 'zh-tw' || l === 'zh-hant') return 'zh-TW';
  if (l === 'en' || l.startsWith('en-')) return 'en';
  return isLang(v) ? v : undefined;
}

/** The language before settings are resolved (help, a last error): a --lang value or WORKBOOK_LANG, else the locale. */
export function earlyLang(value: string | undefined, env: NodeJS.ProcessEnv): Lang {
  return (value && normalizeLang(value)) || langFromLocale(env.LC_ALL || env.LC_MESSAGES || env.LANG);
}

/** Punctuation in the learner's language: zh-TW writes full-width marks with no spaces around them. */
export function punct(lang: Lang): { colon: string; comma: string; list: string; open: string; close: string } {
  return lang === 'zh-TW' ? { colon: '：', comma: '，', list: '、', open: '（', close: '）' } : { colon: ': ', comma: ', ', list: ', ', open: ' (', close: ')' };
}
