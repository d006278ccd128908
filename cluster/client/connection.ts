import * as grpc from '@grpc/grpc-js';
import { ChorusError, NonRetryableError } from '../../core/errors.ts';
import { bearerTokenInterceptor, explainConnectFailure } from '../grpc/authClient.ts';
import { isServiceError, statusToError } from '../grpc/errorStatus.ts';
import { CHUNK_BYTES, messageLimitOptions } from '../grpc/messageLimits.ts';

/**
 * What both clients of the coordinator share (coordinatorConnection.ts: the API; dataPlaneConnection.ts:
 * workers' logit streams): the channel, its credentials and limits, deadlines and error translation.
 */

/** Statuses of a call refused for its credentials (coordinator/grpc/auth.ts): not a coordinator fault. */
const AUTH_REFUSALS = new Set<grpc.status>([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED]);

/** Unary calls that take longer than this fail (the coordinator answers them from memory or KV). */
export const DEFAULT_DEADLINE_MS = 10_000;

export interface ConnectOptions {
  /** Deadline of each unary call (default DEFAULT_DEADLINE_MS). Streams have none: uploads can be long. */
  deadlineMs?: number;
  /** Default: insecure; cluster/grpc/authClient.ts `clientConnectOptions` builds TLS ones. */
  credentials?: grpc.ChannelCredentials;
  /** Bearer token sent with every call (`authorization` metadata). Never logged. */
  token?: string;
  /** Largest message sent or received; must match the coordinator's (default MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
  /** Payload bytes per streamed chunk (default CHUNK_BYTES). */
  chunkBytes?: number;
}

export function checkAddress(address: string): string {
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):\d{1,5}$/.test(address)) {
    throw new NonRetryableError(`the coordinator address must be HOST:PORT, got ${JSON.stringify(address)}`);
  }
  return address;
}

/** What both connections share: the channel, deadlines and error translation. */
export abstract class Connection<C extends grpc.Client> {
  protected readonly deadlineMs: number;
  protected readonly chunkBytes: number;
  /** TLS credentials were given (for hints on connection failures). */
  private readonly secure: boolean;

  constructor(
    readonly address: string,
    protected readonly client: C,
    options: ConnectOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
    this.secure = options.credentials?._isSecure() ?? false;
  }

  /** A Chorus error for a failed call; "cannot reach the coordinator at HOST:PORT: …" when it is not there. */
  protected toError(err: unknown): Error {
    if (isServiceError(err) && err.code === grpc.status.UNAVAILABLE) {
      err.details = explainConnectFailure(err.details, this.secure);
    }
    if (isServiceError(err) && AUTH_REFUSALS.has(err.code)) {
      return new ChorusError(
        `the coordinator at ${this.address} refused the call: ${err.details} (${grpc.status[err.code]})`,
        { cause: err },
      );
    }
    const connected = this.client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
    return statusToError(err, { address: this.address, connected });
  }

  /** A unary call with the connection's deadline, or at least `minDeadlineMs` for calls that wait on work. */
  protected unary<Res>(
    invoke: (options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall,
    minDeadlineMs = 0,
  ): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      invoke({ deadline: Date.now() + Math.max(this.deadlineMs, minDeadlineMs) }, (err, reply) => {
        if (err) reject(this.toError(err));
        else if (reply === undefined) reject(this.toError(new Error('the call ended without a reply')));
        else resolve(reply);
      });
    });
  }

  /** Closes the channel; calls in flight fail with CANCELLED. */
  close(): void {
    this.client.close();
  }
}

export function channelOptions(options: ConnectOptions): [grpc.ChannelCredentials, grpc.ClientOptions] {
  return [
    options.credentials ?? grpc.credentials.createInsecure(),
    {
      ...messageLimitOptions(options.maxMessageBytes),
      // An interceptor rather than call credentials: those are refused on plaintext channels.
      ...(options.token !== undefined ? { interceptors: [bearerTokenInterceptor(options.token)] } : {}),
    },
  ];
}
