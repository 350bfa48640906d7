export { GlueConnectionTest, GlueConnectionTestOptions, GlueConnectionTestProps } from './construct/glue-connection-test';
export { GlueConnectionTestHandlerOptions } from './construct/handler-options';
export { GlueConnectionTestMonitor } from './construct/monitor';
export {
  AuthenticationConfiguration, AuthenticationType, AuthorizationCodeProperties, BasicAuthenticationCredentials,
  OAuth2ClientApplication, OAuth2Credentials, OAuth2GrantType, OAuth2Properties, TestConnectionInput, TestConnectionType,
} from './request/test-connection-input';
export { FailureMode, NetworkInspection, TestResult } from './contract/resource';
export { GlueConnectionTestAspect, GlueConnectionTestAspectProps, IGlueConnectionFilter } from './aspect/aspect';
export { NetworkCheck } from './network/rules';
export { GlueConnectionTestSnapshot } from './snapshot/snapshot';
