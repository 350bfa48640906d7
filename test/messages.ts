/**
 * Assertions on the stable parts of a message (docs/testing.md, "Asserting messages"): where it
 * points (the construct, the prop path or the property, the check id) and the facts it must
 * carry (the allowed values, what was given, the resource to change), not its sentences. A
 * rewording keeps these tests green; a message that points elsewhere or loses a fact fails them.
 *
 * No imports: the handler suites use it without loading aws-cdk-lib.
 */

/** A fact the message must carry: a piece of text, or a pattern. */
export type Fact = string | RegExp;

/**
 * Asserts that `message` points at `at` (a prefix such as `GlueConnectionTest TestStack/Test:
 * timeout:`, found at its start, at the start of a line or after `; `), and carries every fact.
 */
export function expectMessage(message: string, at: string, ...facts: Fact[]): void {
  const points = message.startsWith(at) || message.includes(`\n${at}`) || message.includes(`- ${at}`)
    || message.includes(`; ${at}`) || message.includes(`: ${at}`);
  if (!points) expect(message).toContain(at); // fails, showing the whole message
  for (const fact of facts) {
    if (typeof fact === 'string') expect(message).toContain(fact);
    else expect(message).toMatch(fact);
  }
}

/** The stable parts of a reason a failed test gives: what it is about, and what to do. */
export interface ReasonParts {
  /** `Glue connection "orders-db"`, or `Glue connection input (JDBC)`. */
  readonly subject: string;
  /** The category in parentheses: `network`, `credentials`, ... */
  readonly category: string;
  /** The error's name: Glue's (`InvalidInputException`) or the handler's own (`PropertyError`). */
  readonly error: string;
  /** Facts of the error's message (Glue's words, kept). */
  readonly message?: readonly Fact[];
  /** Facts of the fix: the resource to change, the value to correct. */
  readonly fix?: readonly Fact[];
}

/**
 * Asserts a reason's structure (`<subject> failed its test (<category>): <error>: <message> Fix:
 * <fix>`) and the facts of its message and its fix, whatever their wording.
 */
export function expectReason(reason: string, parts: ReasonParts): void {
  const match = /^(Glue connection (?:"[^"]*"|input(?: \([^)]*\))?)) (?:failed its test|could not be tested) \(([^)]+)\): ([^:]+): (.*) Fix: (.*)$/s.exec(reason);
  expect(match).not.toBeNull();
  const [, subject, category, error, message, fix] = match!;
  expect({ subject, category, error }).toEqual({ subject: parts.subject, category: parts.category, error: parts.error });
  for (const fact of parts.message ?? []) expectMessage(message, '', fact);
  for (const fact of parts.fix ?? []) expectMessage(fix, '', fact);
}
