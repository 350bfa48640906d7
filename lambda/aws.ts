/**
 * The AWS clients, created for each invocation (see createClients). They take the SDK's standard
 * configuration from the environment (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_GLUE and
 * the other per-service endpoints, AWS_MAX_ATTEMPTS, AWS_RETRY_MODE), which is how VPC
 * endpoints, other partitions and the local simulation reach them. Transient failures
 * (throttling, 5xx, resets, socket timeouts) are retried by the SDK's standard retry strategy
 * with exponential back-off and jitter; the handler's deadline bounds the whole.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GlueClient } from '@aws-sdk/client-glue';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** More attempts than the SDK's default 3: a gate must ride out a throttling burst. */
const DEFAULT_MAX_ATTEMPTS = 5;

function config(requestTimeoutMs: number) {
  return {
    // Leave maxAttempts to the SDK when AWS_MAX_ATTEMPTS is set, so the environment wins.
    maxAttempts: process.env.AWS_MAX_ATTEMPTS ? undefined : DEFAULT_MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: requestTimeoutMs },
  };
}

export interface Clients {
  readonly glue: GlueClient;
  readonly secretsManager: SecretsManagerClient;
  readonly cloudFormation: CloudFormationClient;
  /** Closes their sockets; call when the invocation answers. */
  destroy(): void;
}

/**
 * New clients for one invocation. Not shared across invocations: the SDK's retry quota (and
 * its connection pool) lives in a client, and a quota drained by one event's retries would
 * leave the next event in the same warm container without any.
 */
export function createClients(): Clients {
  /** TestConnection can take minutes in a VPC: one attempt may use most of the deadline. */
  const glue = new GlueClient(config(240_000));
  const secretsManager = new SecretsManagerClient(config(15_000));
  const cloudFormation = new CloudFormationClient(config(15_000));
  return { glue, secretsManager, cloudFormation, destroy: () => [glue, secretsManager, cloudFormation].forEach((c) => c.destroy()) };
}
