export {
  type BedrockRouteOptions,
  type BedrockRuntimeClientLike,
  bedrockRoutePlugin,
  instrumentBedrock,
} from './bedrock-route-plugin';
export { VERSION } from './version';
