/**
 * Structured JSON logs. Each line is one JSON object with the event's identity; every string
 * passes through the event's Redactor. The whole event is never logged (its ResponseURL is a
 * presigned URL that grants write access to the stack's answer).
 */
import { Redactor } from './redact';

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

export function createLogger(context: Fields, redactor: Redactor): Logger {
  const write = (level: string, message: string, fields: Fields = {}) => {
    const line = JSON.stringify({ level, message, ...context, ...fields });
    console.log(redactor.redact(line));
  };
  return {
    info: (message, fields) => write('INFO', message, fields),
    warn: (message, fields) => write('WARN', message, fields),
    error: (message, fields) => write('ERROR', message, fields),
  };
}
