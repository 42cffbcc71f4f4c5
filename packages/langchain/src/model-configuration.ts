import { sanitizeUrl } from '@servedby/conventions';

/** What a model instance was configured with, read from the instance as the SDK will use it. */
export interface ModelConfiguration {
  /** Base URL or endpoint, without credentials or query string. */
  url?: string;
  /** The model as sent, when the instance knows better than `ls_model_name` (Bedrock profile ARN, Azure deployment). */
  requestModel?: string;
  /** The client's configured region (AWS SDK clients). */
  region?: string;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function field(target: unknown, name: string): unknown {
  return target !== null && typeof target === 'object' ? (target as Record<string, unknown>)[name] : undefined;
}

/** Strips credentials and the query string (Azure keys travel there): the shared sanitiser, `https` when no scheme. */
function cleanUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const clean = sanitizeUrl(raw.includes('://') ? raw : `https://${raw}`);
  return clean?.replace(/\/$/, '');
}

async function clientRegion(model: object): Promise<string | undefined> {
  const region = field(field(field(model, 'client'), 'config'), 'region');
  if (typeof region !== 'function') return asString(region);
  try {
    return asString(await (region as () => Promise<unknown>)());
  } catch {
    return undefined;
  }
}

/**
 * Reads the configuration the provider SDK will use from a LangChain model instance. Duck-typed on
 * the public fields of the integration classes (ChatOpenAI `clientConfig.baseURL`, AzureChatOpenAI
 * deployment fields, ChatAnthropic `apiUrl`, ChatOpenRouter `baseURL`, ChatBedrockConverse
 * `region`/`model`/`applicationInferenceProfile`/`client`), so no integration package is imported.
 */
export async function readModelConfiguration(model: object): Promise<ModelConfiguration> {
  const deployment =
    asString(field(model, 'azureOpenAIApiDeploymentName')) ?? asString(field(model, 'deploymentName'));
  const applicationInferenceProfile = asString(field(model, 'applicationInferenceProfile'));
  const isAwsClient = typeof field(field(field(model, 'client'), 'config'), 'region') === 'function';
  const region = asString(field(model, 'region')) ?? (isAwsClient ? await clientRegion(model) : undefined);
  const url = cleanUrl(
    asString(field(field(model, 'clientConfig'), 'baseURL')) ??
      asString(field(model, 'azureOpenAIBasePath')) ??
      asString(field(model, 'azureOpenAIEndpoint')) ??
      asString(field(model, 'apiUrl')) ??
      asString(field(field(model, 'clientOptions'), 'baseURL')) ??
      asString(field(model, 'baseURL')) ??
      asString(field(model, 'endpointHost')),
  );
  const bedrockModel = region !== undefined ? (applicationInferenceProfile ?? asString(field(model, 'model'))) : undefined;
  return { url, region, requestModel: deployment ?? bedrockModel };
}
