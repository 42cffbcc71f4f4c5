export {
  type BedrockRouteOptions,
  type BedrockMiddlewareStackLike,
  type BedrockRoutePlugin,
  type BedrockRuntimeClientLike,
  bedrockRoutePlugin,
  instrumentBedrock,
} from './bedrock-route-plugin';
export { VERSION } from './version';
