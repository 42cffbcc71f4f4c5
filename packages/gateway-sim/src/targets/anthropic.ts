import { sendJson, type TargetHandler } from '../common';

/** Placeholder until the Anthropic wire format lands. */
export const handleAnthropic: TargetHandler = async (exchange) => {
  sendJson(exchange, 501, {}, { error: { message: 'not simulated yet' } });
};
