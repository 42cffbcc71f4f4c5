import { sendJson, type TargetHandler } from '../common';

/** Placeholder until the Azure wire format lands. */
export const handleAzure: TargetHandler = async (exchange) => {
  sendJson(exchange, 501, {}, { error: { message: 'not simulated yet' } });
};
