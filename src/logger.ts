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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}
