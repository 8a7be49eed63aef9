/** There are already `limit` tasks waiting on this key: the caller is told at once. */
export class KeyedQueueFullError extends Error {
  constructor() {
    super('Too many tasks are waiting on this key.');
    this.name = 'KeyedQueueFullError';
  }
}

/**
 * Runs the tasks of one key one after another (those of different keys run freely), with at
 * most `limit` of a key waiting. What a burst on one key gets is then what a sequence would.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, { tail: Promise<unknown>; size: number }>();

  constructor(private readonly limit: number) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const entry = this.tails.get(key) ?? { tail: Promise.resolve(), size: 0 };
    if (entry.size >= this.limit) return Promise.reject(new KeyedQueueFullError());
    entry.size++;
    const result = entry.tail.then(task);
    entry.tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, entry);
    const settle = () => {
      if (--entry.size === 0 && this.tails.get(key) === entry) this.tails.delete(key);
    };
    result.then(settle, settle);
    return result;
  }
}
