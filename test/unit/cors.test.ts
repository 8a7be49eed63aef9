import { RefusalLogLimiter } from '../../src/http/cors';

// The refused-origin warning: once a minute per origin, with a bounded memory of origins.

function limiterAt(start = 0, maxOrigins = 1000) {
  const clock = { now: start };
  return { clock, limiter: new RefusalLogLimiter(60_000, maxOrigins, () => clock.now) };
}

test('an origin is logged once, then again only after a minute', () => {
  const { clock, limiter } = limiterAt();
  expect(limiter.shouldLog('https://a.example')).toBe(true);
  clock.now = 59_999;
  expect(limiter.shouldLog('https://a.example')).toBe(false);
  clock.now = 60_000;
  expect(limiter.shouldLog('https://a.example')).toBe(true);
  expect(limiter.shouldLog('https://a.example')).toBe(false);
});

test('each origin has its own minute', () => {
  const { limiter } = limiterAt();
  expect(limiter.shouldLog('https://a.example')).toBe(true);
  expect(limiter.shouldLog('https://b.example')).toBe(true);
  expect(limiter.shouldLog('https://a.example')).toBe(false);
  expect(limiter.shouldLog('https://b.example')).toBe(false);
});

test('memory is bounded: when full of recent origins a new one is not logged, and old ones are forgotten', () => {
  const { clock, limiter } = limiterAt(0, 3);
  for (const name of ['a', 'b', 'c']) expect(limiter.shouldLog(`https://${name}.example`)).toBe(true);
  expect(limiter.shouldLog('https://d.example')).toBe(false);
  expect(limiter.size).toBe(3);
  clock.now = 60_000;
  expect(limiter.shouldLog('https://d.example')).toBe(true);
  expect(limiter.size).toBe(1);
  for (let index = 0; index < 10_000; index++) limiter.shouldLog(`https://flood-${index}.example`);
  expect(limiter.size).toBe(3);
});
