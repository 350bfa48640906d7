export { GlueConnectionTest, GlueConnectionTestOptions, GlueConnectionTestProps } from './glue-connection-test';
export { GlueConnectionTestProvider, GlueConnectionTestProviderProps } from './provider';
export {
  AuthenticationConfiguration, AuthenticationType, AuthorizationCodeProperties, BasicAuthenticationCredentials,
  ConnectionType, OAuth2ClientApplication, OAuth2Credentials, OAuth2GrantType, OAuth2Properties, TestConnectionInput,
} from './test-connection-input';
export { FailureMode, TestResult, RESOURCE_TYPE } from './contract';
