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
