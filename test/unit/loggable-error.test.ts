import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { loggableError } from '../../src/errors';

// No log line may carry a submitted value or a statement's parameters, whatever error is logged.

const SECRET = 'Secret-Value-4471';

/** A node-postgres error as knex rethrows it: the SQL with its values filled in, then the reason. */
function driverError(sql: string, reason: string, fields: Record<string, string> = {}): Error {
  return Object.assign(new Error(`${sql} - ${reason}`), {
    name: 'error',
    severity: 'ERROR',
    code: '22021',
    routine: 'report_invalid_encoding',
    detail: `Key (email)=(${SECRET}@example.com) already exists.`,
    where: `unnamed portal parameter $1 = '${SECRET}'`,
    ...fields,
  });
}

test('a raw driver error keeps its SQLSTATE and routine, never the SQL, values, detail or reason', () => {
  const error = driverError(
    `select u.id from users u where u.username_canonical = '${SECRET}\u0000' or u.email = '${SECRET} - x'`,
    `invalid byte sequence for encoding "UTF8": 0x00`,
  );
  const logged = loggableError(error);
  expect(logged).toEqual({ type: 'error', code: '22021', severity: 'ERROR', routine: 'report_invalid_encoding' });
});

test("MikroORM's wrapped exceptions likewise", () => {
  const wrapped = new UniqueConstraintViolationException(
    driverError(`insert into users (email) values ('${SECRET}')`, 'duplicate key value violates unique constraint', {
      code: '23505',
      constraint: 'users_email_canonical_unique',
      table: 'users',
    }) as Error & { code: string },
  );
  const logged = JSON.stringify(loggableError(wrapped));
  expect(logged).not.toContain(SECRET);
  expect(logged).not.toMatch(/insert|values|Key \(/i);
  expect(loggableError(wrapped)).toMatchObject({ code: '23505', constraint: 'users_email_canonical_unique' });
  const plain = new DriverException(new Error(`update users set last_name = '${SECRET}' - invalid message format`));
  expect(JSON.stringify(loggableError(plain))).not.toContain(SECRET);
});

test('a PostgreSQL reason that quotes the value is not kept', () => {
  const error = driverError(`select 1 where id = '${SECRET}'`, `invalid input syntax for type uuid: "${SECRET}"`, {
    code: '22P02',
  });
  expect(JSON.stringify(loggableError(error))).not.toContain(SECRET);
});

test('any other error: its type, a masked reason and stack frames, without the message line', () => {
  let parseError: unknown;
  try {
    JSON.parse(`{"password": "${SECRET}`);
  } catch (error) {
    parseError = error;
  }
  const typeError = new TypeError(`Cannot read properties of undefined (reading '${SECRET}')`);
  for (const error of [parseError, typeError, new Error(`Unknown user: ${SECRET}`)]) {
    const logged = loggableError(error);
    expect(JSON.stringify(logged)).not.toContain(SECRET);
    expect(logged).toMatchObject({ type: expect.any(String), reason: expect.any(String) });
    expect((logged.frames as string[]).every((frame) => frame.startsWith('at '))).toBe(true);
  }
  expect(loggableError(typeError).reason).toBe('Cannot read properties of undefined (reading …)');
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  expect(loggableError(refused)).toMatchObject({ code: 'ECONNREFUSED', reason: 'connect ECONNREFUSED 127.0.0.1:5432' });
  expect(loggableError('a string')).toEqual({ type: 'string' });
});
