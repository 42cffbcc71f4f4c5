declare const __PACKAGE_VERSION__: string | undefined;

/**
 * Package version, used as the instrumentation scope version: package.json's `version`, injected
 * by the build (tsup `define`); `'0.0.0-test'` when the source runs unbuilt, as in the tests.
 */
export const VERSION: string = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0-test';
