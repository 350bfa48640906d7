#!/usr/bin/env node
/** The example app: `npx cdk synth` works offline, with no AWS account or credentials. */
import { App } from 'aws-cdk-lib';
import { ExampleStack } from './example-stack';

const app = new App();
new ExampleStack(app, 'OrdersPipeline');
app.synth();
