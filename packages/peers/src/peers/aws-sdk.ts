import { createRequire } from 'node:module';
import type { TracerProvider } from '@opentelemetry/api';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';

/**
 * `@opentelemetry/instrumentation-aws-sdk` registered before the SDK loads (its require hooks
 * patch `@smithy/core`), then `@aws-sdk/client-bedrock-runtime` loaded through `require`. A
 * static import would be hoisted above the registration and load an unpatched SDK.
 */
export function installAwsSdk(tracerProvider: TracerProvider) {
  const instrumentation = new AwsInstrumentation({ enabled: false });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.enable();
  const require = createRequire(import.meta.url);
  const sdk = require('@aws-sdk/client-bedrock-runtime') as typeof import('@aws-sdk/client-bedrock-runtime');
  return { sdk, uninstall: () => instrumentation.disable() };
}
