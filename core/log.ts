/**
 * Structured JSON logs. Each line is one JSON object with the event's identity; every string
 * passes through the event's Redactor. The whole event is never logged (its ResponseURL is a
 * presigned URL that grants write access to the stack's answer).
 *
 * Each level is written with its own console method (console.info, console.warn,
 * console.error): the function uses Lambda's JSON log format, in which the Node.js runtime
 * takes a line's level from the console method that wrote it (console.log is INFO), and filters
 * by the function's application log level on that.
 */
import { Redactor } from './redact';

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

export function createLogger(context: Fields, redactor: Redactor): Logger {
  const write = (level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Fields = {}) => {
    const line = redactor.redact(JSON.stringify({ level, message, ...context, ...fields }));
    if (level === 'ERROR') console.error(line);
    else if (level === 'WARN') console.warn(line);
    else console.info(line);
  };
  return {
    info: (message, fields) => write('INFO', message, fields),
    warn: (message, fields) => write('WARN', message, fields),
    error: (message, fields) => write('ERROR', message, fields),
  };
}
