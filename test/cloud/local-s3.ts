import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { createS3Client } from '../../adapters/s3-source.js';

/** s3rver on 127.0.0.1, reached through the standard SDK configuration (AWS_ENDPOINT_URL_S3). */
export interface LocalS3 {
  client: S3Client;
  put(bucket: string, key: string, body: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * s3rver encrypts its ListObjectsV2 continuation tokens with single DES, which OpenSSL 3 no longer
 * offers, so every second page fails. Two-key triple DES with both keys equal is DES, and is still
 * there: route s3rver's calls to it.
 */
function letS3rverPaginate(): void {
  const crypto = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto') & {
    __waftune?: true;
  };
  if (crypto.__waftune) return;
  const { createCipheriv, createDecipheriv } = crypto;
  const des = (key: Buffer) => Buffer.concat([key, key]);
  // biome-ignore lint/suspicious/noExplicitAny: patching overloaded built-ins for a test server
  (crypto as any).createCipheriv = (alg: string, key: Buffer, iv: Buffer, ...rest: any[]) =>
    alg === 'des' ? createCipheriv('des-ede-cbc', des(key), iv) : createCipheriv(alg, key, iv, ...rest);
  // biome-ignore lint/suspicious/noExplicitAny: as above
  (crypto as any).createDecipheriv = (alg: string, key: Buffer, iv: Buffer, ...rest: any[]) =>
    alg === 'des' ? createDecipheriv('des-ede-cbc', des(key), iv) : createDecipheriv(alg, key, iv, ...rest);
  crypto.__waftune = true;
}

export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
  letS3rverPaginate();
  const directory = mkdtempSync(join(tmpdir(), 'waftune-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const saved = {
    endpoint: process.env.AWS_ENDPOINT_URL_S3,
    region: process.env.AWS_REGION,
    key: process.env.AWS_ACCESS_KEY_ID,
    secret: process.env.AWS_SECRET_ACCESS_KEY,
  };
  process.env.AWS_ENDPOINT_URL_S3 = `http://127.0.0.1:${port}`;
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  const client = createS3Client();
  return {
    client,
    async put(bucket, key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async close() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
      for (const [name, value] of Object.entries({
        AWS_ENDPOINT_URL_S3: saved.endpoint,
        AWS_REGION: saved.region,
        AWS_ACCESS_KEY_ID: saved.key,
        AWS_SECRET_ACCESS_KEY: saved.secret,
      })) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

export function gzipLines(lines: readonly string[]): Buffer {
  return gzipSync(`${lines.join('\n')}\n`);
}
