/**
 * The package's jest snapshot serializer entry point, at the path the README documents:
 *
 *   snapshotSerializers: ['cdk-glue-connection-test/dist/snapshot-serializer'],
 *
 * The serializer itself is lib/snapshot/serializer.ts.
 */
export { serialize, test } from './snapshot/serializer';
