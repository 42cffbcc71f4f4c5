import { sendJson, type TargetHandler } from '../common';

/** Placeholder until the Bedrock wire format lands. */
export const handleBedrock: TargetHandler = async (exchange) => {
  sendJson(exchange, 501, {}, { error: { message: 'not simulated yet' } });
};
