/**
 * The daemon's logger: pino, JSON lines on stdout, ISO timestamps. One logger per process; parts
 * take a child with their own `component` field.
 */
import { pino, type Logger } from 'pino';

/** The logger type the daemon's parts take. */
export type { Logger };

/** Log levels pino knows. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A log level pino knows. */
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Default log level of live. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** A pino logger at `level` writing JSON lines to stdout (or to `destination`, for tests). */
export function createLogger(level: LogLevel | string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { name: 'rstwatch', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination as pino.DestinationStream);
}
