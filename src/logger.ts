import pino from 'pino';

export type Logger = pino.Logger;

// Secrets never reach the logs, whatever object a caller hands over.
const REDACT_PATHS = [
  'password',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.passwordConfirm',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'variables',
  '*.variables',
];

/** JSON lines in production; readable lines (pino-pretty) in development. */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  options: { pretty?: boolean } = {},
): Logger {
  const settings = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.pretty && !destination) {
    return pino({ ...settings, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(settings, destination);
}
