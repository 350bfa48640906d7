/**
 * Compile-time checks, nothing that runs: the request table of `lib/contract/request.ts` describes the
 * SDK's own TestConnection types member for member, and its ConnectionType,
 * ConnectionPropertyKey, AuthenticationType and OAuth2GrantType lists are the SDK's. An SDK
 * upgrade that adds a member or a value fails `tsc` here instead of being dropped silently.
 *
 * The construct's package cannot depend on `@aws-sdk/client-glue` (its declarations ship), so
 * the table lives in `lib/` and the SDK's types are read here, in the handler, only.
 */
import type * as sdk from '@aws-sdk/client-glue';
import type {
  AUTHENTICATION_TYPES, CONNECTION_PROPERTY_KEYS, CONNECTION_TYPES, OAUTH2_GRANT_TYPES, TEST_CONNECTION_REQUEST, TestConnectionInputShape,
} from '../lib/contract/request';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Assert<T extends true> = T;
type Members<R> = R extends { readonly members: infer M } ? keyof M : never;
type Member<R, K extends string> = R extends { readonly members: infer M } ? K extends keyof M ? M[K] : never : never;

type Request = typeof TEST_CONNECTION_REQUEST;
type Input = Member<Request, 'TestConnectionInput'>;
type Auth = Member<Input, 'AuthenticationConfiguration'>;
type OAuth2 = Member<Auth, 'OAuth2Properties'>;

/** Every check must be `true`; `tsc` fails on the first that is not. */
export type SdkShapeChecks = [
  Assert<Equal<keyof sdk.TestConnectionRequest, Members<Request>>>,
  Assert<Equal<keyof sdk.TestConnectionInput, Members<Input>>>,
  Assert<Equal<keyof sdk.AuthenticationConfigurationInput, Members<Auth>>>,
  Assert<Equal<keyof sdk.OAuth2PropertiesInput, Members<OAuth2>>>,
  Assert<Equal<keyof sdk.OAuth2ClientApplication, Members<Member<OAuth2, 'OAuth2ClientApplication'>>>>,
  Assert<Equal<keyof sdk.AuthorizationCodeProperties, Members<Member<OAuth2, 'AuthorizationCodeProperties'>>>>,
  Assert<Equal<keyof sdk.OAuth2Credentials, Members<Member<OAuth2, 'OAuth2Credentials'>>>>,
  Assert<Equal<keyof sdk.BasicAuthenticationCredentials, Members<Member<Auth, 'BasicAuthenticationCredentials'>>>>,
  Assert<Equal<sdk.ConnectionType, (typeof CONNECTION_TYPES)[number]>>,
  Assert<Equal<sdk.ConnectionPropertyKey, (typeof CONNECTION_PROPERTY_KEYS)[number]>>,
  Assert<Equal<sdk.AuthenticationType, (typeof AUTHENTICATION_TYPES)[number]>>,
  Assert<Equal<sdk.OAuth2GrantType, (typeof OAUTH2_GRANT_TYPES)[number]>>,
  // Leaf kinds: every value the SDK's type allows is a value of the table's shape.
  Assert<sdk.TestConnectionInput extends TestConnectionInputShape ? true : false>,
];
