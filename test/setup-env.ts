/**
 * Tests run the AWS SDK on this machine's Node.js 20; the handler runs on Lambda's nodejs24.x.
 * The SDK's notice that it will need Node.js 22 is about the test machine, not the product.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
