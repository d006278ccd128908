import * as grpc from '@grpc/grpc-js';
import type { TokenIdentity, TokenRole } from '../../cluster/grpc/authTokens.ts';
import type { GrpcStatus } from '../../cluster/grpc/errorStatus.ts';

/**
 * Who may call what. Clients run and read jobs; workers only stream results. An RPC missing here is
 * refused to everyone (fail closed), and a test checks that every RPC of proto/chorus.proto is listed.
 */
export const RPC_ROLES: Readonly<Record<string, readonly TokenRole[]>> = {
  SubmitJob: ['client'],
  GetJob: ['client'],
  WatchJob: ['client'],
  CancelJob: ['client'],
  ListJobs: ['client'],
  ListWorkers: ['client'],
  GetReport: ['client'],
  GetArtifacts: ['client'],
  PutLogits: ['worker'],
};

/** Checks a presented token; `TokenTable` and `TokensFile` are ones. */
export interface TokenVerifier {
  verify(token: string): TokenIdentity | undefined;
}

/** A refused call, for logs: never holds the presented token. */
export interface RefusedCall {
  rpc: string;
  /** The client's address as grpc-js reports it. */
  peer: string;
  code: grpc.status;
  reason: string;
}

const BEARER = /^Bearer ([\x21-\x7e]+)$/i;

/**
 * The status refusing a call, or the identity of the token that lets it through. Missing, malformed
 * or unknown tokens are UNAUTHENTICATED; a valid token of the wrong role is PERMISSION_DENIED. Details
 * name the token (by its name) and the RPC, never the token itself.
 */
export function checkCall(
  rpc: string,
  metadata: grpc.Metadata,
  tokens: TokenVerifier,
): { refused: GrpcStatus } | { identity: TokenIdentity } {
  const values = metadata.get('authorization');
  if (values.length === 0) {
    return {
      refused: {
        code: grpc.status.UNAUTHENTICATED,
        details:
          'missing credentials: this coordinator requires a bearer token (--token-file or CHORUS_TOKEN)',
      },
    };
  }
  const header = values.length === 1 && typeof values[0] === 'string' ? values[0] : '';
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) {
    return {
      refused: {
        code: grpc.status.UNAUTHENTICATED,
        details: 'malformed credentials: expected one "authorization: Bearer <token>" header',
      },
    };
  }
  const identity = tokens.verify(token);
  if (!identity) return { refused: { code: grpc.status.UNAUTHENTICATED, details: 'invalid token' } };
  const allowed = RPC_ROLES[rpc] ?? [];
  if (!allowed.includes(identity.role)) {
    return {
      refused: {
        code: grpc.status.PERMISSION_DENIED,
        details: `token "${identity.name}" has role ${identity.role}, which may not call ${rpc}`,
      },
    };
  }
  return { identity };
}

/** Whose token each call that `tokenCheck` let through carried (forgotten with the call). */
const callers = new WeakMap<object, TokenIdentity>();

/** The identity of the token a call was let through with; undefined without authentication. */
export function callerOf(call: object): TokenIdentity | undefined {
  return callers.get(call);
}

type AnyCall = {
  metadata: grpc.Metadata;
  getPeer(): string;
  emit(event: 'error', status: GrpcStatus): boolean;
};
type Handler = (call: AnyCall, callback?: (status: GrpcStatus) => void) => void;

/**
 * Wraps every method of a service implementation so that `check` runs first; a refused call is
 * answered with the check's status and the method is never called. Uses the service definition to
 * know each method's kind (replying by callback or by ending the response stream).
 */
export function guardService<T extends grpc.UntypedServiceImplementation>(
  definition: grpc.ServiceDefinition,
  implementation: T,
  check: (rpc: string, call: AnyCall) => GrpcStatus | undefined,
): T {
  const guarded: grpc.UntypedServiceImplementation = {};
  for (const [rpc, method] of Object.entries(definition)) {
    // grpc-js also accepts a method under its camelCase `originalName`.
    const inner = (implementation[rpc] ??
      (method.originalName ? implementation[method.originalName] : undefined)) as Handler | undefined;
    if (!inner) continue;
    const streamsReplies = method.responseStream;
    const wrapped: Handler = (call, callback) => {
      const refused = check(rpc, call);
      if (!refused) return inner(call, callback);
      if (streamsReplies) call.emit('error', refused);
      else callback?.(refused);
    };
    guarded[rpc] = wrapped as grpc.UntypedHandleCall;
  }
  return guarded as T;
}

/** `guardService`'s check for a token table; `onRefused` hears of every refusal (for logs). */
export function tokenCheck(
  tokens: TokenVerifier,
  onRefused?: (refused: RefusedCall) => void,
): (rpc: string, call: AnyCall) => GrpcStatus | undefined {
  return (rpc, call) => {
    const checked = checkCall(rpc, call.metadata, tokens);
    if ('identity' in checked) {
      callers.set(call, checked.identity);
      return undefined;
    }
    const { refused } = checked;
    onRefused?.({ rpc, peer: call.getPeer(), code: refused.code, reason: refused.details ?? '' });
    return refused;
  };
}
