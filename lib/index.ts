export { GlueConnectionTest, GlueConnectionTestOptions, GlueConnectionTestProps } from './glue-connection-test';
export { GlueConnectionTestHandlerOptions } from './handler-options';
export {
  AuthenticationConfiguration, AuthenticationType, AuthorizationCodeProperties, BasicAuthenticationCredentials,
  ConnectionType, OAuth2ClientApplication, OAuth2Credentials, OAuth2GrantType, OAuth2Properties, TestConnectionInput,
} from './test-connection-input';
export { FailureMode, NetworkInspection, TestResult } from './contract';
export { GlueConnectionTestAspect, GlueConnectionTestAspectProps, IGlueConnectionFilter } from './aspect';
export { NetworkCheck } from './network-rules';
export { GlueConnectionTestSnapshot } from './snapshot';
