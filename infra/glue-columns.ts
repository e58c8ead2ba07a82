import { EVENT_COLUMNS } from '../schemas/event.js';

/**
 * The Glue table's layout, derived from EVENT_COLUMNS so that Athena and DuckDB see the same
 * columns. `dt` is the partition key: Glue keeps partition keys apart from the data columns (a
 * name in both is an error in Athena), so it leaves the column list and becomes the one key.
 */

export const PARTITION_KEY = 'dt';

export interface GlueColumn {
  Name: string;
  Type: string;
}

export interface GlueLayout {
  Columns: GlueColumn[];
  PartitionKeys: GlueColumn[];
}

export function glueLayout(): GlueLayout {
  const all = EVENT_COLUMNS.map(({ name, type }) => ({ Name: name, Type: type }));
  return {
    Columns: all.filter((c) => c.Name !== PARTITION_KEY),
    PartitionKeys: all.filter((c) => c.Name === PARTITION_KEY),
  };
}

/** The committed file serverless.yml reads (`${file(infra/glue-columns.json)}`): osls cannot load TypeScript. */
export function glueLayoutJson(): string {
  return `${JSON.stringify(glueLayout(), null, 2)}\n`;
}
