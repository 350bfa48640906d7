/**
 * Tests run the AWS SDK on this machine's Node.js 20; the handler runs on Lambda's nodejs24.x.
 * The SDK's notice that it will need Node.js 22 is about the test machine, not the product.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * aws-cdk-lib's built-in CloudFormation template validator starts its engine in every test file
 * that synthesizes, which doubled the construct suites' time. It is off here and on in the one
 * suite that checks what users synthesize (test/construct/example-app.test.ts: the example app and the
 * README quick start), which sets CDK_VALIDATION itself. cfn-lint checks every template there too.
 */
process.env.CDK_VALIDATION = 'false';
