/**
 * The AWS clients, created once per Lambda container. They take the SDK's standard
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

/** TestConnection can take minutes in a VPC: one attempt may use most of the deadline. */
export const glue = new GlueClient(config(240_000));
export const secretsManager = new SecretsManagerClient(config(15_000));
export const cloudFormation = new CloudFormationClient(config(15_000));
