/**
 * A jest snapshot serializer for stacks that use the library (not part of the jsii API: a
 * separate entry point of the npm package). In jest.config.js:
 *
 *   snapshotSerializers: ['cdk-glue-connection-test/dist/snapshot-serializer'],
 *
 * then `expect(Template.fromStack(stack).toJSON()).toMatchSnapshot()` records the library's
 * functions with placeholders for their asset hash and runtime (see GlueConnectionTestSnapshot).
 */
import { needsNormalizing, normalizeTemplate } from './snapshot';

/** The part of jest's printer this serializer calls: print a value with the other serializers. */
type Printer<Config, Refs> = (value: unknown, config: Config, indentation: string, depth: number, refs: Refs) => string;

/** Whether this serializer handles `value`: a template with a function of the library not yet normalized. */
export function test(value: unknown): boolean {
  return needsNormalizing(value);
}

/** Prints the normalized template with jest's own printer. */
export function serialize<Config, Refs>(
  value: unknown, config: Config, indentation: string, depth: number, refs: Refs, printer: Printer<Config, Refs>,
): string {
  return printer(normalizeTemplate(value), config, indentation, depth, refs);
}
