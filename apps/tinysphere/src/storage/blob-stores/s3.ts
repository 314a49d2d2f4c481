import { Transform, type Readable, type TransformCallback } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { assertBlobKey, type BlobInfo, type BlobStore, type StoredBlob } from '../blob-store.js';

/** Options of the S3 store; credentials default to AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. */
export interface S3BlobStoreOptions {
  bucket: string;
  endpoint?: string;
  region?: string;
  prefix?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Blobs in an S3 bucket (AWS, MinIO, Ceph radosgw…), path-style addressing. A PUT of one object
 * is atomic in S3, so no temp-and-rename dance is needed.
 * @example
 * const blobs = S3BlobStore.fromUri('s3://tinymlops?endpoint=http://127.0.0.1:9000&region=us-east-1');
 */
export class S3BlobStore implements BlobStore {
  /** Part size of a streamed put, S3's smallest: the most a put buffers. */
  static readonly PART_BYTES = 5 * 1024 * 1024;
  readonly putBufferBytes = S3BlobStore.PART_BYTES;
  private readonly client: S3Client;
  constructor(private readonly options: S3BlobStoreOptions) {
    this.client = new S3Client({
      forcePathStyle: true,
      region: options.region ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
  }

  /** Parses `s3://bucket[/prefix]?endpoint=…&region=…`. */
  static fromUri(uri: string): S3BlobStore {
    const u = new URL(uri);
    if (u.protocol !== 's3:' || !u.hostname)
      throw new TinyMLOpsError('INVALID_OPTION', `--blobs: expected s3://bucket?endpoint=…, got "${uri}"`);
    const id = process.env['AWS_ACCESS_KEY_ID'];
    const secret = process.env['AWS_SECRET_ACCESS_KEY'];
    const endpoint = u.searchParams.get('endpoint');
    const region = u.searchParams.get('region');
    const prefix = u.pathname.replace(/^\/+|\/+$/g, '');
    return new S3BlobStore({
      bucket: u.hostname,
      ...(endpoint ? { endpoint } : {}),
      ...(region ? { region } : {}),
      ...(prefix ? { prefix: `${prefix}/` } : {}),
      ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}),
    });
  }

  private k(key: string): string {
    assertBlobKey(key);
    return `${this.options.prefix ?? ''}${key}`;
  }

  async put(key: string, body: Readable | Uint8Array): Promise<BlobInfo> {
    const Bucket = this.options.bucket;
    if (body instanceof Uint8Array) {
      await this.client.send(
        new PutObjectCommand({ Bucket, Key: this.k(key), Body: body, ContentLength: body.length }),
      );
      return { key, size: body.length };
    }
    // A stream goes up in parts, one at a time: the store holds at most one part of it however
    // large the object and however slow S3 is, and the source is read only as fast as S3 takes
    // it. (A streamed PutObject would need aws-chunked encoding, which not every S3 clone speaks.)
    const counted = new ByteCounter();
    const forward = (err: Error) => counted.destroy(err);
    body.once('error', forward).pipe(counted);
    const upload = new Upload({
      client: this.client,
      params: { Bucket, Key: this.k(key), Body: counted },
      partSize: S3BlobStore.PART_BYTES,
      queueSize: 1,
    });
    try {
      await upload.done();
    } catch (err) {
      // S3 failed: stop reading the source, and leave it to the caller (to drain or destroy).
      body.unpipe(counted);
      counted.destroy();
      throw err;
    } finally {
      body.off('error', forward);
    }
    return { key, size: counted.bytes };
  }

  async get(key: string): Promise<Readable | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.k(key) }));
      return r.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer | null> {
    if (length === 0) return Buffer.alloc(0);
    try {
      const r = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.k(key),
          Range: `bytes=${start}-${start + length - 1}`,
        }),
      );
      return collect(r.Body as Readable);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.k(key) }));
      return { key, size: r.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.k(key) }));
  }

  async list(prefix: string): Promise<StoredBlob[]> {
    const blobs: StoredBlob[] = [];
    const base = this.options.prefix ?? '';
    let token: string | undefined;
    do {
      const r = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: base + prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of r.Contents ?? [])
        if (o.Key) blobs.push({ key: o.Key.slice(base.length), size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) }); // prettier-ignore
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return blobs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 404 || err.name === 'NoSuchKey' || err.name === 'NotFound')
  );
}

/** Passes bytes through, counting them. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
