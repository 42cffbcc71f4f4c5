/** A tool the client offered, reduced to what the simulator needs to call it. */
export interface OfferedTool {
  name: string;
  /** JSON schema of the arguments. */
  parameters?: unknown;
}

/** What the simulated model answers: a short text or a call to the first offered tool. */
export type CannedAnswer =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; toolName: string; arguments: Record<string, unknown> };

/** The facts about a conversation that decide the answer. */
export interface ConversationFacts {
  tools: OfferedTool[];
  /** True when the last message is a tool result: the agent loop wants the final text now. */
  endsWithToolResult: boolean;
  /** The tool result's text, echoed (shortened) in the final answer. */
  toolResultText?: string;
}

/** The text answered when no tool is involved. */
export const DEFAULT_ANSWER_TEXT = 'Hello from the gateway simulator.';

/**
 * Tools offered and no tool result yet → call the first tool with plausible arguments;
 * otherwise a short text. Enough for an agent loop with one tool.
 */
export function decideAnswer(facts: ConversationFacts, overrideText?: string): CannedAnswer {
  const firstTool = facts.tools[0];
  if (firstTool && !facts.endsWithToolResult) {
    const example = exampleFromSchema(firstTool.parameters);
    const argumentsObject = isRecord(example) ? example : {};
    return { type: 'tool_call', toolName: firstTool.name, arguments: argumentsObject };
  }
  if (overrideText !== undefined) return { type: 'text', text: overrideText };
  if (facts.endsWithToolResult) {
    const result = (facts.toolResultText ?? '').replace(/\s+/g, ' ').trim().slice(0, 80);
    return { type: 'text', text: result ? `The tool returned: ${result}` : 'The tool call is done.' };
  }
  return { type: 'text', text: DEFAULT_ANSWER_TEXT };
}

/** Splits a text into stream deltas the way models do: a few word-sized pieces. */
export function splitIntoDeltas(text: string): string[] {
  const pieces = text.match(/\S+\s*/g) ?? [text];
  if (pieces.length <= 3) return pieces;
  const size = Math.ceil(pieces.length / 3);
  const deltas: string[] = [];
  for (let index = 0; index < pieces.length; index += size) deltas.push(pieces.slice(index, index + size).join(''));
  return deltas;
}

/** A rough but stable token count (4 characters a token), for usage fields. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Builds a plausible value for a JSON schema: the first enum value, example strings, small numbers. */
export function exampleFromSchema(schema: unknown, propertyName = 'value', depth = 0): unknown {
  if (!isRecord(schema) || depth > 6) return {};
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('const' in schema) return schema.const;
  if (schema.default !== undefined) return schema.default;
  const variants = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(variants) && variants.length > 0) {
    const firstNonNull = variants.find((variant) => !(isRecord(variant) && variant.type === 'null')) ?? variants[0];
    return exampleFromSchema(firstNonNull, propertyName, depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type.find((entry) => entry !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return exampleString(propertyName, schema.format);
    case 'integer':
      return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 2;
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 3;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [exampleFromSchema(schema.items, propertyName, depth + 1)];
    default: {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      const result: Record<string, unknown> = {};
      for (const [name, propertySchema] of Object.entries(properties)) {
        result[name] = exampleFromSchema(propertySchema, name, depth + 1);
      }
      return result;
    }
  }
}

function exampleString(propertyName: string, format: unknown): string {
  if (format === 'date-time') return '2026-01-01T00:00:00Z';
  if (format === 'date') return '2026-01-01';
  if (format === 'email') return 'someone@example.com';
  if (format === 'uri' || format === 'url') return 'https://example.com';
  const name = propertyName.toLowerCase();
  if (name.includes('city') || name.includes('location')) return 'Paris';
  if (name.includes('query') || name.includes('question')) return 'weather in Paris';
  if (name.includes('unit')) return 'celsius';
  return 'example';
}

/** Narrows to a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
