import 'reflect-metadata';
import { loadConfig } from '../config';
import { rotateSigningKey } from '../modules/auth/signing-key.service';
import { runScript, usingDatabase } from './cli-runner';

// npm run rotate-signing-key [-- --compromised]: adds a new access-token signing key.
// Routine: the new key is published at once and signs after SIGNING_KEY_ACTIVATION_DELAY_SECONDS;
// the old one stays published until the tokens it signed have expired.
// --compromised: the new key signs at once and every other key is deleted, so tokens they signed
// stop verifying (here within SIGNING_KEY_POLL_SECONDS, elsewhere when the JWKS cache expires).
runScript('Key rotation failed', async () => {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== '--compromised');
  if (unknown.length > 0) throw new Error(`Unknown argument ${unknown[0]}. Usage: rotate-signing-key [--compromised]`);
  const compromised = args.includes('--compromised');
  const config = loadConfig();
  await usingDatabase(config, async (database) => {
    const key = await rotateSigningKey(database.orm.em, config.jwt, { compromised });
    console.log(
      compromised
        ? `New ${key.algorithm} signing key ${key.id} signs now; every other key was deleted. Now revoke the sessions that may have been abused.`
        : `New ${key.algorithm} signing key ${key.id} is published now and signs from ${key.activatesAt.toISOString()}.`,
    );
  });
});
