import { randomUUID } from 'node:crypto';
import type { ChangeFeed } from '../../db/change-listener';
import type { Database } from '../../db/database';
import type { Logger } from '../../logger';
import { SESSION_CHANGE_CHANNEL, type SessionCache } from './session-cache';

/** The session cache's link to the database's change feed. */
export interface SessionInvalidation {
  /**
   * Resolves once every change committed before the call has reached this instance's cache: a
   * marker is notified after them, and notifications arrive in commit order. At once when the
   * cache is off or bypassed (then nothing is served from memory anyway).
   */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

const MARKER_PREFIX = 'sync:';
const CAUGHT_UP_TIMEOUT_MS = 5000;

/**
 * Starts listening for the triggers' messages (`s:<session id>`, `u:<user id>`, `*`) and applies
 * them to `cache`; bypasses the cache whenever the feed is not confirmed. Nothing is started when
 * the cache is off (SESSION_CACHE_SECONDS=0).
 */
export async function startSessionInvalidation(
  database: Database,
  cache: SessionCache,
  logger: Logger,
): Promise<SessionInvalidation> {
  if (!cache.enabled) return { caughtUp: async () => undefined, close: async () => undefined };
  const markers = new Map<string, () => void>();
  let listenedBefore = false;
  let outageReported = false;
  // Start-up waits for the first answer (listening, or not), so an instance starts with its cache in use.
  let settleStart = () => undefined as void;
  const started = new Promise<void>((resolve) => (settleStart = resolve));
  const feed: ChangeFeed = await database.listen(SESSION_CHANGE_CHANNEL, {
    listening() {
      outageReported = false;
      cache.resume();
      if (listenedBefore) logger.info('session cache: listening for changes again; cache back in use');
      listenedBefore = true;
      settleStart();
    },
    lost(error) {
      cache.suspend();
      // Whatever was waiting for a marker: the cache is empty and bypassed, so it is caught up.
      for (const release of markers.values()) release();
      markers.clear();
      // Once per outage, not once per failed reconnection.
      if (!outageReported) {
        logger.warn(
          { reason: error.message },
          'session cache: change listener lost; bypassing the cache until it is back',
        );
      }
      outageReported = true;
      settleStart();
    },
    message(payload) {
      if (payload.startsWith(MARKER_PREFIX)) markers.get(payload.slice(MARKER_PREFIX.length))?.();
      else cache.applyChange(payload);
    },
  });
  await started;
  return {
    async caughtUp() {
      if (cache.stats().bypassing) return;
      const marker = randomUUID();
      const arrived = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          markers.delete(marker);
          reject(new Error('session cache: change feed marker not received in time'));
        }, CAUGHT_UP_TIMEOUT_MS);
        markers.set(marker, () => {
          clearTimeout(timer);
          markers.delete(marker);
          resolve();
        });
      });
      try {
        await database.orm.em
          .getConnection()
          .execute('select pg_notify(?, ?)', [SESSION_CHANGE_CHANNEL, MARKER_PREFIX + marker]);
      } catch (error) {
        markers.get(marker)?.();
        throw error;
      }
      await arrived;
    },
    close: () => feed.close(),
  };
}
