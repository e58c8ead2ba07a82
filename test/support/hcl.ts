/**
 * HCL -> JSON with @cdktn/hcl2json (HashiCorp's hcl2json compiled to WebAssembly, kept by the
 * cdk-terrain project). Loaded by a specifier TypeScript does not follow: its typings pull the
 * DOM library into the whole project.
 */
const MODULE = '@cdktn/hcl2json';

// biome-ignore lint/suspicious/noExplicitAny: hcl2json returns untyped JSON
export async function parseHcl(fileName: string, text: string): Promise<any> {
  const { parse } = (await import(MODULE)) as {
    parse(file: string, contents: string): Promise<unknown>;
  };
  return parse(fileName, text);
}
