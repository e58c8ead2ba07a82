/**
 * waftune's version, as package.json says (a test holds them equal). A constant rather than a
 * read of package.json at run time: the Lambda bundles have no package.json beside them, and the
 * AWS clients name it in their user agent.
 */
export const WAFTUNE_VERSION = '0.1.0';
