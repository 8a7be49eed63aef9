import type { EnvReader } from './lib/env-reader';

/** SUPERUSER_USERNAME, _EMAIL and _PASSWORD: the first superuser, created at start while there is none. */
export interface FirstSuperuser {
  username: string;
  email: string;
  password: string;
}

export function parseFirstSuperuser(reader: EnvReader): FirstSuperuser | null {
  // The password is taken as given, never trimmed. Alone, it is createsuperuser's, not a request.
  const [username, email, password] = [
    reader.raw('SUPERUSER_USERNAME'),
    reader.raw('SUPERUSER_EMAIL'),
    reader.secret('SUPERUSER_PASSWORD'),
  ];
  if (username === undefined && email === undefined) return null;
  if (username !== undefined && email !== undefined && password !== undefined) return { username, email, password };
  reader.problems.push(
    'SUPERUSER_USERNAME, SUPERUSER_EMAIL, SUPERUSER_PASSWORD must be set together (to create the first superuser at start)',
  );
  return null;
}
