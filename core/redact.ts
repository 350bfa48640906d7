/**
 * Redaction in depth. Every string the handler writes (log lines, the thrown reason, returned
 * data) passes through one Redactor, which knows the secret values resolved for this event and
 * also masks credential-shaped `key=value` pairs, for secrets Glue read itself (SECRET_ID).
 */

const MASK = '***';
/**
 * `password=...` (JDBC URLs, Kafka settings) and `"Password": "..."` (echoed JSON). A bare
 * `password: text` is prose, such as a message about the PASSWORD property, and stays; so does
 * the `:secret:` of a Secrets Manager ARN, which names a secret and holds none.
 */
const CREDENTIAL_PAIR = /((?<![:\w])(?:password|passwd|pwd|secret|token|client_secret)(?:\s*=\s*|"\s*:\s*")["']?)([^\s"'&;,}]+)/gi;

export class Redactor {
  private readonly forms = new Set<string>();

  /** Registers a resolved secret: its raw, JSON-escaped and URL-encoded forms are masked. */
  public add(secret: string): void {
    if (secret.length === 0) return;
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
      this.forms.add(form);
    }
  }

  public redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const form of [...this.forms].sort((a, b) => b.length - a.length)) {
      out = out.split(form).join(MASK);
    }
    return out.replace(CREDENTIAL_PAIR, `$1${MASK}`);
  }
}
