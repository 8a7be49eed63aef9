// Password rules modelled on Django's validators (minimum length, common password, entirely
// numeric, user attribute similarity), plus a maximum length so hashing cost stays bounded.
// Every rule is checked and every problem returned, so a user fixes them all in one attempt.

import { dictionary } from '@zxcvbn-ts/language-common';

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

export interface PasswordUserAttributes {
  username?: string | null;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
}

export const passwordMessages = {
  notWellFormed: 'The password contains invalid characters.',
  tooShort: (min: number): string => `This password is too short. It must contain at least ${min} characters.`,
  tooLong: (max: number): string => `This password is too long. It must contain at most ${max} characters.`,
  tooCommon: 'This password is too common.',
  entirelyNumeric: 'This password is entirely numeric.',
  tooSimilar: (attributeLabel: string): string => `The password is too similar to the ${attributeLabel}.`,
};

// Django's default max_similarity.
const MAXIMUM_SIMILARITY = 0.7;

const ATTRIBUTE_LABELS: ReadonlyArray<[keyof PasswordUserAttributes, string]> = [
  ['username', 'username'],
  ['email', 'email address'],
  ['firstName', 'first name'],
  ['lastName', 'last name'],
];

// Python's \w is Unicode-aware while JavaScript's \W is ASCII-only even with the u flag, so a name
// like "Ødegård" would be cut into meaningless pieces; spell out the Unicode classes instead.
const NON_WORD_CHARACTERS = /[^\p{L}\p{N}_]+/u;

let commonPasswords: Set<string> | undefined;

/** True when the password, lowercased, is in zxcvbn's list of ~49k common passwords. */
export function isCommonPassword(password: string): boolean {
  // Built on first use: turning ~49k entries into a Set is wasted work for code that only
  // imports this module (tests, tooling, processes that never register a user).
  commonPasswords ??= new Set(dictionary['passwords-common']);
  return commonPasswords.has(password.toLowerCase());
}

/**
 * Similarity of two strings from 0 to 1, equal to Python's
 * `difflib.SequenceMatcher(None, a, b).ratio()`: 2 * matched characters / total characters.
 * Characters are code points, as in Python, so an emoji counts once.
 */
export function similarityRatio(a: string, b: string): number {
  const first = [...a];
  const second = [...b];
  const total = first.length + second.length;
  if (total === 0) return 1;
  return (2 * countMatchingCharacters(first, second)) / total;
}

/** Returns every problem with the password (empty array = acceptable). Never throws. */
export function checkPasswordPolicy(
  password: string,
  policy: PasswordPolicy,
  attributes?: PasswordUserAttributes,
): string[] {
  if (typeof password !== 'string' || !isWellFormed(password)) return [passwordMessages.notWellFormed];
  // Stops here so an attacker cannot make the server run the similarity check (quadratic in the
  // worst case) or the hash on megabytes of input. Each code point takes at most two UTF-16 units,
  // so a string over twice the limit is too long without counting anything.
  if (password.length > 2 * policy.maxLength || codePointLength(password) > policy.maxLength) {
    return [passwordMessages.tooLong(policy.maxLength)];
  }

  const problems: string[] = [];
  if (codePointLength(password) < policy.minLength) problems.push(passwordMessages.tooShort(policy.minLength));
  if (isCommonPassword(password)) problems.push(passwordMessages.tooCommon);
  if (/^\p{Nd}+$/u.test(password)) problems.push(passwordMessages.entirelyNumeric);
  for (const label of similarAttributeLabels(password, attributes)) {
    problems.push(passwordMessages.tooSimilar(label));
  }
  return problems;
}

// Node 20 has String.prototype.isWellFormed, but the project's TypeScript lib (ES2023) predates
// its typings; a local cast avoids declaring it globally for every other file.
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function codePointLength(text: string): number {
  return [...text].length;
}

// Django's UserAttributeSimilarityValidator: the password is compared with each attribute as a
// whole and with each of its words, so "jane.doe@example.com" also catches "janedoe2024".
function similarAttributeLabels(password: string, attributes: PasswordUserAttributes | undefined): string[] {
  if (!attributes) return [];
  const lowerPassword = password.toLowerCase();
  const passwordLength = codePointLength(lowerPassword);
  const labels: string[] = [];
  for (const [attributeName, label] of ATTRIBUTE_LABELS) {
    const value = attributes[attributeName];
    if (typeof value !== 'string' || value === '') continue;
    const lowerValue = value.toLowerCase();
    const parts = [...lowerValue.split(NON_WORD_CHARACTERS), lowerValue];
    const isSimilar = parts.some((part) => {
      // An empty piece (from leading or trailing punctuation) says nothing about the password.
      if (part === '') return false;
      const partLength = codePointLength(part);
      // The ratio can never exceed 2 * shorter / total, so skip the costly comparison when even
      // that bound is below the threshold. This skips everything Django's
      // exceeds_maximum_length_ratio skips, and more, without ever changing the outcome.
      const bestPossibleRatio = (2 * Math.min(passwordLength, partLength)) / (passwordLength + partLength);
      if (bestPossibleRatio < MAXIMUM_SIMILARITY) return false;
      return similarityRatio(lowerPassword, part) >= MAXIMUM_SIMILARITY;
    });
    if (isSimilar) labels.push(label);
  }
  return labels;
}

// Ratcliff/Obershelp as in difflib.SequenceMatcher.get_matching_blocks: take the longest matching
// block, then recurse on the pieces to its left and right. Only the total size is needed here.
function countMatchingCharacters(first: string[], second: string[]): number {
  const secondIndexes = indexPositions(second);
  let matched = 0;
  const pending: Array<[number, number, number, number]> = [[0, first.length, 0, second.length]];
  while (pending.length > 0) {
    const [firstLow, firstHigh, secondLow, secondHigh] = pending.pop()!;
    const [firstStart, secondStart, size] = findLongestMatch(
      first,
      second,
      secondIndexes,
      firstLow,
      firstHigh,
      secondLow,
      secondHigh,
    );
    if (size === 0) continue;
    matched += size;
    if (firstLow < firstStart && secondLow < secondStart) {
      pending.push([firstLow, firstStart, secondLow, secondStart]);
    }
    if (firstStart + size < firstHigh && secondStart + size < secondHigh) {
      pending.push([firstStart + size, firstHigh, secondStart + size, secondHigh]);
    }
  }
  return matched;
}

// difflib's b2j, including its "autojunk" heuristic: in a sequence of 200 or more characters,
// characters making up more than 1% of it are left out of the index. Reproduced so results stay
// identical to Python's for long inputs too.
function indexPositions(sequence: string[]): Map<string, number[]> {
  const positions = new Map<string, number[]>();
  sequence.forEach((character, index) => {
    const list = positions.get(character);
    if (list) list.push(index);
    else positions.set(character, [index]);
  });
  if (sequence.length >= 200) {
    const popularThreshold = Math.floor(sequence.length / 100) + 1;
    for (const [character, list] of positions) {
      if (list.length > popularThreshold) positions.delete(character);
    }
  }
  return positions;
}

// difflib.SequenceMatcher.find_longest_match without an isjunk function: ties go to the match
// starting earliest in `first`, then earliest in `second`, which decides how the recursion splits.
function findLongestMatch(
  first: string[],
  second: string[],
  secondIndexes: Map<string, number[]>,
  firstLow: number,
  firstHigh: number,
  secondLow: number,
  secondHigh: number,
): [number, number, number] {
  let bestFirst = firstLow;
  let bestSecond = secondLow;
  let bestSize = 0;
  // lengthEndingAt.get(j): length of the longest match ending at first[i - 1] and second[j].
  let lengthEndingAt = new Map<number, number>();
  for (let i = firstLow; i < firstHigh; i++) {
    const nextLengthEndingAt = new Map<number, number>();
    for (const j of secondIndexes.get(first[i]) ?? []) {
      if (j < secondLow) continue;
      if (j >= secondHigh) break;
      const length = (lengthEndingAt.get(j - 1) ?? 0) + 1;
      nextLengthEndingAt.set(j, length);
      if (length > bestSize) {
        bestFirst = i - length + 1;
        bestSecond = j - length + 1;
        bestSize = length;
      }
    }
    lengthEndingAt = nextLengthEndingAt;
  }
  // Characters dropped from the index by autojunk can still extend a match at either end.
  while (bestFirst > firstLow && bestSecond > secondLow && first[bestFirst - 1] === second[bestSecond - 1]) {
    bestFirst--;
    bestSecond--;
    bestSize++;
  }
  while (
    bestFirst + bestSize < firstHigh &&
    bestSecond + bestSize < secondHigh &&
    first[bestFirst + bestSize] === second[bestSecond + bestSize]
  ) {
    bestSize++;
  }
  return [bestFirst, bestSecond, bestSize];
}
