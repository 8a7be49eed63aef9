import {
  checkPasswordPolicy,
  isCommonPassword,
  passwordMessages,
  similarityRatio,
  type PasswordPolicy,
} from '../../src/lib/password-policy';

const policy: PasswordPolicy = { minLength: 12, maxLength: 128 };
const strongPassword = 'private volcano ink 42';

describe('checkPasswordPolicy', () => {
  it('accepts a strong password, spaces included', () => {
    expect(checkPasswordPolicy(strongPassword, policy)).toEqual([]);
    expect(
      checkPasswordPolicy(strongPassword, policy, {
        username: 'mhamilton',
        email: 'margaret.hamilton@nasa.gov',
        firstName: 'Margaret',
        lastName: 'Hamilton',
      }),
    ).toEqual([]);
  });

  describe('length', () => {
    it('rejects a password shorter than the minimum', () => {
      expect(checkPasswordPolicy('Vq7#mZ2pXk4', policy)).toEqual([passwordMessages.tooShort(12)]);
      expect(checkPasswordPolicy('Vq7#mZ2pXk4!', policy)).toEqual([]);
    });

    it('rejects a password longer than the maximum', () => {
      expect(checkPasswordPolicy('Vq7#mZ2pXk4!'.padEnd(129, 'x'), policy)).toEqual([passwordMessages.tooLong(128)]);
      expect(checkPasswordPolicy('Vq7#mZ2pXk4!'.padEnd(128, 'x'), policy)).toEqual([]);
    });

    it('keeps whitespace as typed: spaces count towards the minimum', () => {
      expect(checkPasswordPolicy('Vq7#mZ2p    ', policy)).toEqual([]);
      expect(checkPasswordPolicy('  Vq7#mZ2p  ', policy)).toEqual([]);
      expect(checkPasswordPolicy('Vq7#mZ2p   ', policy)).toEqual([passwordMessages.tooShort(12)]);
    });

    it('counts an emoji as one character', () => {
      // 11 emoji are 22 UTF-16 code units: counting units would wrongly accept them.
      expect(checkPasswordPolicy('🔥'.repeat(11), policy)).toEqual([passwordMessages.tooShort(12)]);
      expect(checkPasswordPolicy('🔥'.repeat(12), policy)).toEqual([]);
      expect(checkPasswordPolicy('🔥'.repeat(128), policy)).toEqual([]);
      expect(checkPasswordPolicy('🔥'.repeat(129), policy)).toEqual([passwordMessages.tooLong(128)]);
    });

    it('returns only the too-long problem, quickly, for a huge password', () => {
      // Also entirely numeric: that problem must not be reported, the check must not even run.
      const huge = '1'.repeat(100_000);
      const started = performance.now();
      const problems = checkPasswordPolicy(huge, policy);
      const elapsed = performance.now() - started;
      expect(problems).toEqual([passwordMessages.tooLong(128)]);
      expect(elapsed).toBeLessThan(1000);
    });
  });

  describe('well-formedness', () => {
    it('rejects a lone surrogate', () => {
      expect(checkPasswordPolicy('Vq7#mZ2pXk4!\uD83D', policy)).toEqual([passwordMessages.notWellFormed]);
      expect(checkPasswordPolicy('\uDE00Vq7#mZ2pXk4!', policy)).toEqual([passwordMessages.notWellFormed]);
    });

    it('does not throw on a value that is not a string', () => {
      expect(checkPasswordPolicy(undefined as unknown as string, policy)).toEqual([passwordMessages.notWellFormed]);
    });
  });

  describe('common passwords', () => {
    it('rejects a password from the common list', () => {
      expect(checkPasswordPolicy('qwertyuiop12', policy)).toEqual([passwordMessages.tooCommon]);
      expect(checkPasswordPolicy('leavemealone', policy)).toEqual([passwordMessages.tooCommon]);
    });

    it('ignores case', () => {
      expect(checkPasswordPolicy('LeaveMeAlone', policy)).toEqual([passwordMessages.tooCommon]);
      expect(checkPasswordPolicy('QWERTYuiop12', policy)).toEqual([passwordMessages.tooCommon]);
    });

    it('isCommonPassword looks the lowercased password up in the list', () => {
      expect(isCommonPassword('password')).toBe(true);
      expect(isCommonPassword('PassWord')).toBe(true);
      expect(isCommonPassword('passw0rd')).toBe(true);
      expect(isCommonPassword(strongPassword)).toBe(false);
    });
  });

  describe('entirely numeric', () => {
    it('rejects a password made only of digits', () => {
      expect(checkPasswordPolicy('804193765210', policy)).toEqual([passwordMessages.entirelyNumeric]);
      expect(checkPasswordPolicy('80419376521a', policy)).toEqual([]);
    });

    it('recognises digits of any script', () => {
      expect(checkPasswordPolicy('٠١٢٣٤٥٦٧٨٩٠١', policy)).toEqual([passwordMessages.entirelyNumeric]);
    });
  });

  describe('similarity to the user', () => {
    it('rejects a password similar to the username, ignoring case', () => {
      expect(checkPasswordPolicy('ALEXANDRINA7', policy, { username: 'alexandrina' })).toEqual([
        passwordMessages.tooSimilar('username'),
      ]);
      expect(checkPasswordPolicy('alexandrina7', policy, { username: 'ALEXANDRINA' })).toEqual([
        passwordMessages.tooSimilar('username'),
      ]);
    });

    it('compares with each part of the email address', () => {
      // Against the whole address the ratio is only 0.42; the local part's "hamilton" gives 0.8.
      expect(checkPasswordPolicy('Hamilton1969', policy, { email: 'margaret.hamilton@nasa.gov' })).toEqual([
        passwordMessages.tooSimilar('email address'),
      ]);
    });

    it('rejects a password similar to the first or last name', () => {
      expect(checkPasswordPolicy('Alexandrina7', policy, { firstName: 'Alexandrina' })).toEqual([
        passwordMessages.tooSimilar('first name'),
      ]);
      expect(checkPasswordPolicy('Hamilton1969', policy, { lastName: 'Hamilton' })).toEqual([
        passwordMessages.tooSimilar('last name'),
      ]);
    });

    it('splits names into words the way Python does, keeping non-ASCII letters', () => {
      // An ASCII-only split would leave "deg" and "rd", neither close enough to be caught.
      expect(checkPasswordPolicy('Ødegård1!xyz', policy, { lastName: 'Ødegård-Hansen' })).toEqual([
        passwordMessages.tooSimilar('last name'),
      ]);
    });

    it('treats a ratio of exactly 0.7 as too similar', () => {
      // 2 * 7 matching characters / 20 characters in all = 0.7, as python3's difflib computes it.
      expect(similarityRatio('kestrel#48291', 'kestrel')).toBe(0.7);
      expect(checkPasswordPolicy('Kestrel#48291', policy, { username: 'Kestrel' })).toEqual([
        passwordMessages.tooSimilar('username'),
      ]);
    });

    it('reports each attribute once', () => {
      expect(
        checkPasswordPolicy('Hamilton1969', policy, { username: 'hamilton', email: 'hamilton@hamilton.com' }),
      ).toEqual([passwordMessages.tooSimilar('username'), passwordMessages.tooSimilar('email address')]);
    });

    it('ignores missing and empty attributes', () => {
      expect(checkPasswordPolicy('Hamilton1969', policy, { username: null, email: '', firstName: undefined })).toEqual(
        [],
      );
    });
  });

  it('reports every problem together', () => {
    expect(checkPasswordPolicy('123456', policy, { username: '123456' })).toEqual([
      passwordMessages.tooShort(12),
      passwordMessages.tooCommon,
      passwordMessages.entirelyNumeric,
      passwordMessages.tooSimilar('username'),
    ]);
  });
});

describe('similarityRatio', () => {
  // Expected values printed by python3: difflib.SequenceMatcher(None, a, b).ratio()
  it.each([
    ['abc', 'abd', 0.6666666666666666],
    ['abcd', 'bcde', 0.75],
    ['qabxcd', 'abycdf', 0.6666666666666666],
    ['xab', 'xyab', 0.8571428571428571],
    [' abcd', 'abcd abcd', 0.7142857142857143],
    ['janedoe2024', 'jane.doe', 0.7368421052631579],
    ['ab', 'ba', 0.5],
    // Not symmetric: the longest-match choice depends on which string comes first.
    ['tide', 'diet', 0.25],
    ['diet', 'tide', 0.5],
    // Code points, as in Python: the emoji is one matching element.
    ['😀abc', '😀abd', 0.75],
    ['abc', '', 0],
    ['', '', 1],
    ['private volcano', 'private volcano', 1],
  ])('similarityRatio(%j, %j) is %d', (first, second, expected) => {
    expect(similarityRatio(first, second)).toBe(expected);
  });

  it("reproduces difflib's autojunk on strings of 200 characters or more", () => {
    // "a" and "b" each make up over 1% of the second string, so difflib drops them: ratio 0.
    expect(similarityRatio('x'.repeat(5) + 'ab'.repeat(120), 'ab'.repeat(120) + 'y'.repeat(5))).toBe(0);
    // A dropped character can still extend a match found on the others: "z" grows into "aza".
    expect(similarityRatio('xaza', 'y' + 'a'.repeat(250) + 'z' + 'a'.repeat(5) + 'y')).toBe(0.022900763358778626);
  });
});
