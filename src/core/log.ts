import { pino, type Logger } from 'pino';

export type { Logger };

export interface LogOptions {
  /** pino level; default `info`. */
  level?: string;
  /** Write to this destination instead of stdout. */
  destination?: pino.DestinationStream;
  /** Append to this file instead of stdout (created with its directory). */
  file?: string;
}

/**
 * JSON logs (pino), one logger per process, tagged with the role and instance name so lines from
 * several roles can be merged. Secrets are redacted by key name wherever they appear.
 */
export function createLogger(role: string, name: string, options: LogOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { role, name, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['*.apiKey', '*.password', '*.token', '*.ott', 'apiKey', 'password', 'token', 'ott', 'req.headers.authorization', 'req.headers["api-key"]'],
        censor: '[redacted]',
      },
    },
    options.destination ?? (options.file ? pino.destination({ dest: options.file, mkdir: true, sync: false }) : pino.destination({ fd: 1, sync: false })),
  );
}

/** A logger that drops everything; handy in unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
