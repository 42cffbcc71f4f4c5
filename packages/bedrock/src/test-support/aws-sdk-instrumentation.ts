import { createRequire } from 'node:module';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { createTestTelemetry } from './telemetry';

/**
 * Registers `@opentelemetry/instrumentation-aws-sdk` and only then loads the SDK through
 * `require`, so its require hooks patch `@smithy/core`'s `Client.prototype.send` (a static
 * `import` would be hoisted above the registration and load an unpatched SDK).
 */
export const telemetry = createTestTelemetry();
export const awsSdkInstrumentation = new AwsInstrumentation({ enabled: false });
awsSdkInstrumentation.setTracerProvider(telemetry.tracerProvider);
awsSdkInstrumentation.setMeterProvider(telemetry.meterProvider);
awsSdkInstrumentation.enable();

const require = createRequire(import.meta.url);
/** The SDK module, loaded after the instrumentation's hooks were installed. */
export const sdk = require('@aws-sdk/client-bedrock-runtime') as typeof import('@aws-sdk/client-bedrock-runtime');
