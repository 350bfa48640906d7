/**
 * Stands in, in the bundle only, for the AWS SDK's credential sources that read files or run
 * programs: the shared config and credentials files (fromIni), SSO (fromSSO), credential_process
 * (fromProcess) and a web identity token file (fromTokenFile). The SDK's default chain imports
 * them after the environment; on Lambda none of them exists (no home directory files, no SSO
 * session, no token file), and the function's credentials are in its environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which the chain reads first.
 * Left out, they take 80 KB (STS, SSO and sign-in clients among them) out of a bundle that every
 * cold start compiles. The chain's other links (environment, container credentials, instance
 * metadata) are the SDK's own. scripts/bundle-handler.mjs maps the four packages here.
 */

/** A source that says it does not apply, so the SDK's chain tries its next link. */
const notOnLambda = (source: string) => () => async (): Promise<never> => {
  throw Object.assign(new Error(`${source}: not a credential source of the Glue connection test handler (it runs on Lambda)`), { tryNextLink: true });
};

export const fromIni = notOnLambda('shared config and credentials files');
export const fromSSO = notOnLambda('SSO');
export const fromProcess = notOnLambda('credential_process');
export const fromTokenFile = notOnLambda('web identity token file');
