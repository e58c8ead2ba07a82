import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateFleet } from '../fixtures/generator/index.js';
import { EVENT_COLUMNS } from '../schemas/event.js';
import { listSqlFiles, loadSqlFile } from '../src/engines/sql-files.js';
import { processRecordText } from '../src/ingest/process.js';

/**
 * Parquet or gzip JSON for events/? Athena bills the bytes it reads. A gzip JSON object is read
 * whole whatever the query needs; Parquet is read per column chunk (plus its footer). This writes a
 * generated fleet day of events both ways with DuckDB and, per query in queries/, adds up what
 * Athena would read: the whole gzip file, or the compressed chunks of the columns the query names.
 *
 *   npx tsx infra/measure-format.ts [scale]
 */

const scale = Number(process.argv[2] ?? 1);
const dir = mkdtempSync(join(tmpdir(), 'waftune-format-'));
try {
  const lines: string[] = [];
  for (const { record } of generateFleet({ seed: 1, day: '2026-09-01', scale })) {
    const r = processRecordText(JSON.stringify(record));
    if (r.ok) lines.push(JSON.stringify(r.event));
  }
  const jsonl = join(dir, 'events.jsonl');
  writeFileSync(jsonl, `${lines.join('\n')}\n`);

  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const types: Record<string, string> = {
    string: 'VARCHAR',
    bigint: 'BIGINT',
    double: 'DOUBLE',
    boolean: 'BOOLEAN',
    'array<string>': 'VARCHAR[]',
  };
  const columns = EVENT_COLUMNS.map((col) => `'${col.name}': '${types[col.type]}'`).join(', ');
  await c.run(
    `CREATE TABLE events AS SELECT * FROM read_json('${jsonl}', format='newline_delimited', columns={${columns}})`,
  );
  const gz = join(dir, 'events.json.gz');
  const parquet = join(dir, 'events.parquet');
  // dt is the partition key: it lives in the S3 key, not in the Parquet file.
  await c.run(
    `COPY (SELECT * EXCLUDE (dt) FROM events) TO '${parquet}' (FORMAT PARQUET, COMPRESSION SNAPPY)`,
  );
  await c.run(`COPY events TO '${gz}' (FORMAT JSON, COMPRESSION GZIP)`);
  const gzBytes = statSync(gz).size;
  const parquetBytes = statSync(parquet).size;
  const meta = await c.runAndReadAll(
    `SELECT path_in_schema AS col, sum(total_compressed_size)::BIGINT AS bytes FROM parquet_metadata('${parquet}') GROUP BY 1`,
  );
  const chunk = new Map<string, number>();
  for (const row of meta.getRowObjectsJS()) {
    // Lists are stored as <col>.list.element (or similar): charge them to the top-level column.
    const name = String(row.col).split(/[.,]/)[0]?.trim() ?? '';
    chunk.set(name, (chunk.get(name) ?? 0) + Number(row.bytes));
  }
  const chunkTotal = [...chunk.values()].reduce((a, b) => a + b, 0);
  const footer = parquetBytes - chunkTotal;

  const out = {
    events: lines.length,
    jsonlBytes: statSync(jsonl).size,
    gzipJsonBytes: gzBytes,
    parquetBytes,
    parquetFooterBytes: footer,
    perQuery: listSqlFiles().map((name) => {
      const text = loadSqlFile(name).text.replace(/--.*$/gm, '');
      const used = EVENT_COLUMNS.map((col) => col.name).filter(
        (n) => n !== 'dt' && new RegExp(`\\b${n}\\b`).test(text),
      );
      const bytes = used.reduce((sum, n) => sum + (chunk.get(n) ?? 0), 0) + footer;
      return {
        query: name,
        columns: used.length,
        gzipJsonBytes: gzBytes,
        parquetBytes: bytes,
        gzipOverParquet: Number((gzBytes / bytes).toFixed(1)),
      };
    }),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  c.closeSync();
  db.closeSync();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
