/**
 * The status of the stack that holds the tests, read with the handler's own grant
 * (`cloudformation:DescribeStacks` on its stack).
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { createClients } from '../core/aws';
import { Deadline } from '../core/deadline';
import { Logger } from '../core/log';
import { errorName } from '../core/reason';

/**
 * The stack's status, or undefined when it could not be read within `budgetMs` (`unreadable` is
 * the warning logged then). Read by an Update (below) and by a monitor's scheduled run (monitor.ts),
 * which skips a stack being deployed.
 *
 * UPDATE_ROLLBACK_IN_PROGRESS means this Update restores the previous properties, which passed
 * their test before; failing it would leave the stack in UPDATE_ROLLBACK_FAILED, which only a
 * person can clear. DescribeStacks is retried within `budgetMs` like every call (throttling
 * until the budget runs out, 5xx and resets a bounded number of times: aws.ts).
 *
 * When the status is still unknown after that, the Update is tested but cannot fail: a failed
 * test or unparseable properties answer SUCCESS with Result FAILED, the reason and a note why,
 * and an ERROR log line. The event itself cannot tell a rollback from a deployment: in both,
 * ResourceProperties and OldResourceProperties differ (CloudFormation sends an Update only when
 * they do), and in a rollback ResourceProperties are simply the older ones, so comparing them
 * proves nothing. Of the two ways to be wrong, a deployment's Update that reports instead of
 * gating (Result FAILED is still in the stack's outputs and the log) costs far less than a
 * rollback stuck in UPDATE_ROLLBACK_FAILED; and the status is unknown only when CloudFormation's
 * API failed for the whole budget or the role lost cloudformation:DescribeStacks on its own stack.
 */
export async function stackStatus(
  stackId: string, budgetMs: number, log: Logger, unreadable = 'could not read the stack status; a failure will be reported, not answered FAILED',
): Promise<string | undefined> {
  const deadline = new Deadline(budgetMs);
  const clients = createClients(deadline, log);
  try {
    const { Stacks } = await deadline.run('the stack status (DescribeStacks)',
      () => clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }), { abortSignal: deadline.signal }));
    const status = Stacks?.[0]?.StackStatus;
    log.info('stack status', { status, ...clients.retries });
    return status ?? undefined;
  } catch (e) {
    log.warn(unreadable, { error: errorName(e), ...clients.retries });
    return undefined;
  } finally {
    deadline.dispose();
    clients.destroy();
  }
}
