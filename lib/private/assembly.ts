/**
 * The cloud assembly a construct belongs to: the App, or the nested Stage that CDK synthesizes
 * on its own (with its own aspects, before the enclosing app's). Connection names, exports and
 * cross-stack references mean something within one assembly only.
 */
import { Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The Stage (App included) whose assembly holds `scope`, or the tree's root when it has none. */
export function assemblyOf(scope: IConstruct): IConstruct {
  return Stage.isStage(scope) ? scope : Stage.of(scope) ?? scope.node.root;
}

/**
 * A construct and everything under it that belongs to the same cloud assembly: like
 * `node.findAll()`, but not into a nested Stage.
 */
export function assemblyDescendants(root: IConstruct): IConstruct[] {
  const found: IConstruct[] = [];
  const visit = (c: IConstruct) => {
    found.push(c);
    for (const child of c.node.children) if (!Stage.isStage(child)) visit(child);
  };
  visit(root);
  return found;
}
