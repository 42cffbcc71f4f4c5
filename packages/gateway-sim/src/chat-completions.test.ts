import { describe, expect, it } from 'vitest';
import { azureServedModel } from './chat-completions';

describe('azureServedModel', () => {
  it.each([
    ['gpt-4o', 'gpt-4o-2024-11-20'],
    ['gpt-4o-eastus', 'gpt-4o-2024-11-20'],
    ['support-gpt-4o', 'gpt-4o-2024-11-20'],
    ['prod-gpt-4o-mini-westeurope', 'gpt-4o-mini-2024-07-18'],
    ['my-deployment', 'gpt-4o-2024-11-20'],
  ])('serves the versioned base model behind deployment %s', (deployment, served) => {
    expect(azureServedModel(deployment)).toBe(served);
  });
});
