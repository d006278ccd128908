import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType } from './generated/chorus.ts';

/** The service definitions, loaded at run time (no protoc, no generated JavaScript). */
export const PROTO_FILE = fileURLToPath(new URL('./chorus.proto', import.meta.url));

/**
 * How messages map to JavaScript, for the server, the clients and the type generator alike (the
 * generator's flags are derived from this object, so the generated types match what arrives):
 * camelCase fields; int64 as numbers (our int64s are millisecond times and float offsets, all < 2^53);
 * enums as their names; absent scalars and lists as defaults; oneofs name their set field.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
} as const satisfies protoLoader.Options;

/** The `chorus.v1` package: service constructors and message types. */
export type ChorusProto = ProtoGrpcType['chorus']['v1'];

let loaded: ChorusProto | undefined;

/** Loads `proto/chorus.proto` once per process. */
export function loadChorusProto(): ChorusProto {
  if (!loaded) {
    const definition = protoLoader.loadSync(PROTO_FILE, PROTO_LOADER_OPTIONS);
    // The generated ProtoGrpcType describes exactly what loadPackageDefinition builds from this file.
    loaded = (grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType).chorus.v1;
  }
  return loaded;
}
