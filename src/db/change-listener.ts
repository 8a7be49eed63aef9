import { Client } from 'pg';

// PostgreSQL LISTEN/NOTIFY as a feed of change messages. What matters to a cache is not only the
// messages but whether it can trust their absence: `listening` says every change committed from now
// on will be reported; `lost` says some may not be, until the next `listening`.

export interface ChangeFeedHandlers {
  /** LISTEN is in force: every change committed from now on is reported. */
  listening(): void;
  /** The feed broke: changes may go unreported until `listening` is called again. */
  lost(error: Error): void;
  message(payload: string): void;
}

export interface ChangeFeed {
  close(): Promise<void>;
}

export interface NotificationMessage {
  channel: string;
  payload?: string;
}

/** Receives the notifications that arrive on pooled connections (see `listenOnSharedSession`). */
export class NotificationHub {
  private readonly subscribers = new Set<(message: NotificationMessage) => void>();

  deliver(message: NotificationMessage): void {
    for (const subscriber of this.subscribers) subscriber(message);
  }

  subscribe(subscriber: (message: NotificationMessage) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }
}

function quoted(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}

/**
 * Embedded PGlite is one backend session shared by every connection made to it, and it sends a
 * notification on the very connection whose statement committed the change, before that statement
 * returns. So one LISTEN on the pool's connection is the whole feed: nothing can commit while
 * nobody hears, and there is no second connection that could fail on its own.
 */
export async function listenOnSharedSession(
  execute: (sql: string) => Promise<unknown>,
  hub: NotificationHub,
  channel: string,
  handlers: ChangeFeedHandlers,
): Promise<ChangeFeed> {
  const unsubscribe = hub.subscribe((message) => {
    if (message.channel === channel) handlers.message(message.payload ?? '');
  });
  await execute(`listen ${quoted(channel)}`);
  handlers.listening();
  return { close: async () => void unsubscribe() };
}

export interface DedicatedListenerOptions {
  /** node-postgres options: the ORM's own (orm.config.ts connectionOptions). */
  connection: ConstructorParameters<typeof Client>[0] & object;
  channel: string;
  /** Shown in pg_stat_activity. */
  applicationName: string;
  /** A round trip this often proves the connection alive (a vanished network sends no error). */
  heartbeatMs: number;
  retryMs: { first: number; max: number };
}

/**
 * PostgreSQL: a connection of its own, outside the pool (a pooled one is reaped when idle). When it
 * errors, ends or misses a heartbeat, `lost` is called and it reconnects with exponential backoff;
 * `listening` again once LISTEN has succeeded on the new connection.
 */
export function listenOnDedicatedConnection(
  options: DedicatedListenerOptions,
  handlers: ChangeFeedHandlers,
): ChangeFeed {
  let closed = false;
  let current: Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let retryMs = options.retryMs.first;

  const connect = async () => {
    retryTimer = undefined;
    if (closed) return;
    const client = new Client({ ...options.connection, application_name: options.applicationName, keepAlive: true });
    current = client;
    let broken = false;
    const breakOff = (error: Error) => {
      if (broken) return;
      broken = true;
      clearInterval(heartbeatTimer);
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (closed) return;
      handlers.lost(error);
      retryTimer = setTimeout(() => void connect(), retryMs);
      retryMs = Math.min(retryMs * 2, options.retryMs.max);
    };
    client.on('error', breakOff);
    client.on('end', () => breakOff(new Error('the listening connection ended')));
    client.on('notification', (message) => {
      if (message.channel === options.channel) handlers.message(message.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`listen ${quoted(options.channel)}`);
    } catch (error) {
      breakOff(error as Error);
      return;
    }
    if (broken || closed) return;
    retryMs = options.retryMs.first;
    handlers.listening();
    heartbeatTimer = setInterval(() => {
      client.query('select 1').catch((error: Error) => breakOff(error));
    }, options.heartbeatMs);
  };

  void connect();
  return {
    close: async () => {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeatTimer);
      await current?.end().catch(() => undefined);
    },
  };
}
