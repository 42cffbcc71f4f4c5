import { ruleOfHost } from '../rules/catalog';
import { splitUrl } from '../shared/url';

/**
 * Whether an HTTP request is a GenAI model call, for the register entry's spans of its own.
 * Conservative on purpose: a span on an unrelated request is noise, a missed call is only a
 * missing span. A POST counts when its path is one a model API uses:
 *
 * - `…/chat/completions`, `…:generateContent` / `…:streamGenerateContent` / `…:embedContent`
 *   (Gemini, Vertex) on any host: no other kind of API uses these shapes;
 * - `…/v1/messages`, `…/responses`, `…/embeddings`, `…/completions` under a version segment
 *   (`/v1`, `/api/v1`, `/openai/v1`, `/v1beta`) or an Azure deployment path, on any host;
 * - Bedrock Runtime (`/model/{id}/converse`, `converse-stream`, `invoke`,
 *   `invoke-with-response-stream`) only on an AWS host (`*.amazonaws.com`);
 * - the Vercel AI Gateway's native protocol (`/v1/ai/language-model`, `/v1/ai/embedding-model`);
 * - on the own host of a system the rule registry knows (`ruleOfHost`: providers, clouds,
 *   gateways), also the other inference paths they use: `…/chat` (Cohere), `…/invocations`
 *   (Databricks, SageMaker), `…:complete` (Snowflake Cortex), `…/generate`, `…:predict`,
 *   `…:rawPredict`, `…:streamRawPredict` (Vertex).
 */
export function isGenAiExchange(url: string, method: string): boolean {
  if (method !== 'POST') return false;
  const { host, pathname } = splitUrl(url);
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (path.endsWith('/chat/completions')) return true;
  if (/:(?:stream)?generatecontent$|:embedcontent$|:batchembedcontents$/i.test(path)) return true;
  if (VERSIONED_MODEL_PATH.test(path)) return true;
  if (AZURE_DEPLOYMENT_PATH.test(path)) return true;
  if (VERCEL_NATIVE_PATH.test(path)) return true;
  if (BEDROCK_RUNTIME_PATH.test(path)) return host !== undefined && (host === 'amazonaws.com' || host.endsWith('.amazonaws.com'));
  return host !== undefined && KNOWN_HOST_INFERENCE_PATH.test(path) && knownHost(host);
}

const KNOWN_HOST_INFERENCE_PATH = /(?:\/chat|\/invocations|:complete|\/generate|:predict|:rawpredict|:streamrawpredict)$/i;

function knownHost(host: string): boolean {
  try {
    return ruleOfHost(host) !== undefined;
  } catch {
    return false;
  }
}

const VERSIONED_MODEL_PATH = /\/v\d+(?:alpha|beta)?\d*\/(?:messages|responses|embeddings|completions)$/i;
const AZURE_DEPLOYMENT_PATH = /\/openai\/deployments\/[^/]+\/(?:chat\/completions|completions|embeddings|responses)$/i;
const VERCEL_NATIVE_PATH = /\/v\d+\/ai\/(?:language-model|embedding-model)$/i;
const BEDROCK_RUNTIME_PATH = /\/model\/[^/]+\/(?:converse|converse-stream|invoke|invoke-with-response-stream)$/i;
