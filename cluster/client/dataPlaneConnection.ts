import type { LogitArray, PutLogitsResult } from '../api/apiTypes.ts';
import { streamLogits } from '../grpc/logitStream.ts';
import { loadChorusProto } from '../../proto/loadProto.ts';
import type { DataPlaneClient } from '../../proto/generated/chorus/v1/DataPlane.ts';
import { channelOptions, checkAddress, Connection, type ConnectOptions } from './connection.ts';
import { coordinatorAddresses, followLeader } from './leaderFollowing.ts';

/** The worker → coordinator data path. */
export class DataPlaneConnection extends Connection<DataPlaneClient> {
  /** Streams float32 arrays (chunked, in order) in one call; resolves once the coordinator has them all. */
  async putLogits(arrays: LogitArray | readonly LogitArray[]): Promise<PutLogitsResult> {
    try {
      return await streamLogits(this.client, arrays, { chunkBytes: this.chunkBytes });
    } catch (err) {
      throw this.toError(err);
    }
  }
}

/** A data-plane client of the coordinator at HOST:PORT, or of several (the leader among them is followed). */
export function connectDataPlane(address: string, options: ConnectOptions = {}): DataPlaneConnection {
  const addresses = coordinatorAddresses(address);
  if (addresses.length > 1) return followLeader(addresses, (a) => connectDataPlane(a, options), []);
  const client = new (loadChorusProto().DataPlane)(checkAddress(address), ...channelOptions(options));
  return new DataPlaneConnection(address, client, options);
}
