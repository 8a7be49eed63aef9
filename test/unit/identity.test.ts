import {
  canonicalEmail,
  canonicalUsername,
  emailProblems,
  normalizeUsername,
  usernameProblems,
} from '../../src/lib/identity';

test('usernames fold to one canonical form across case and NFKC look-alikes', () => {
  expect(canonicalUsername('Gleb')).toBe('gleb');
  expect(canonicalUsername('gleb')).toBe('gleb');
  expect(canonicalUsername('Ｇleb')).toBe('gleb');
  expect(canonicalUsername('STRASSE')).toBe(canonicalUsername('straße'));
  expect(normalizeUsername(' Ｇleb ')).toBe('Gleb');
});

test('emails compare ignoring case', () => {
  expect(canonicalEmail(' Ada@Example.COM ')).toBe('ada@example.com');
});

test('username rules: 3 to 30 characters of letters, digits and @ . + - _', () => {
  expect(usernameProblems('abc')).toEqual([]);
  expect(usernameProblems('ab')).toHaveLength(1);
  expect(usernameProblems('a'.repeat(31))).toHaveLength(1);
  expect(usernameProblems('jo hn')).toHaveLength(1);
  expect(usernameProblems('jo<b>')).toHaveLength(1);
  expect(usernameProblems('émile.o+1@x-y_z')).toEqual([]);
  expect(usernameProblems('ab\u0000c')).toHaveLength(1);
});

test('email rules: valid and at most 254 characters', () => {
  expect(emailProblems('ada@example.com')).toEqual([]);
  expect(emailProblems('ada@example')).toHaveLength(1);
  expect(emailProblems(`${'a'.repeat(60)}@${'b'.repeat(190)}.com`)).toHaveLength(1);
});
