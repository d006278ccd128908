import { randomBytes } from 'node:crypto';

/** A fresh resource prefix, so tests sharing one server never see each other's streams and buckets. */
export function uniquePrefix(): string {
  return `t${randomBytes(4).toString('hex')}`;
}
