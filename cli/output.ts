/**
 * Everything the command writes goes through here: results on stdout, progress, warnings,
 * errors and --debug lines on stderr, every line through the run's Redactor (the secrets the
 * command was given or read, and credential-shaped pairs). Colour only where GlobalSettings
 * allows it.
 */
import type { Logger } from '../core/log';
import { Redactor } from '../core/redact';
import type { GlobalSettings, Io } from './args';

export type Mark = 'PASSED' | 'FAILED' | 'SKIPPED';

const COLOURS: Record<Mark, string> = { PASSED: '\x1b[32m', FAILED: '\x1b[31m', SKIPPED: '\x1b[33m' };
const RESET = '\x1b[0m';

export class Output {
  constructor(private readonly io: Io, public readonly redactor: Redactor, private readonly settings: Pick<GlobalSettings, 'color' | 'debug'>) {}

  /** A result line (or JSON document) on stdout. */
  public result(text: string): void {
    this.io.stdout.write(`${this.redactor.redact(text)}\n`);
  }

  /** A progress or informational line on stderr. */
  public progress(text: string): void {
    this.io.stderr.write(`${this.redactor.redact(text)}\n`);
  }

  public warn(text: string): void {
    this.io.stderr.write(`warning: ${this.redactor.redact(text)}\n`);
  }

  /** PASSED / FAILED / SKIPPED, coloured when allowed. */
  public mark(mark: Mark, width = 0): string {
    const padded = mark.padEnd(width);
    return this.settings.color ? `${COLOURS[mark]}${padded}${RESET}` : padded;
  }

  /**
   * The core's Logger for this run: its lines on stderr with --debug, nothing otherwise. The
   * core's log lines name steps, calls and outcomes, never a request body; they pass the
   * Redactor all the same. The SDK's own logger is never attached (it would log inputs).
   */
  public logger(): Logger {
    const write = (level: string, message: string, fields: Record<string, unknown> = {}) => {
      if (!this.settings.debug) return;
      const details = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`).join('');
      this.progress(`[debug] ${level} ${message}${details}`);
    };
    return {
      info: (message, fields) => write('info', message, fields),
      warn: (message, fields) => write('warn', message, fields),
      error: (message, fields) => write('error', message, fields),
    };
  }
}

/** A duration for people: `0.4 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
