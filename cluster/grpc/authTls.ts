import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { NonRetryableError } from '../../core/errors.ts';
import { watchFiles } from './authFileWatch.ts';

/**
 * TLS for the gRPC API from PEM files: the coordinator's certificate and key (and, for mutual TLS, the
 * CA that signs client certificates), and on the client side the CA to trust (and the client's own
 * certificate and key). Files are checked when read, so a wrong path or a key that does not match its
 * certificate fails at start with the file named, not at the first connection. Messages quote
 * OpenSSL's reason, never file contents.
 */

export interface ServerTlsFiles {
  /** The coordinator's certificate chain (PEM). */
  certFile: string;
  /** Its private key (PEM). */
  keyFile: string;
  /** Mutual TLS: every client must present a certificate signed by this CA (PEM); others are refused. */
  clientCaFile?: string;
}

export interface ClientTlsFiles {
  /** CA bundle to trust (PEM); default: Node's public roots. */
  caFile?: string;
  /** This client's certificate (PEM), for a coordinator that requires mutual TLS. */
  certFile?: string;
  /** Its private key (PEM). */
  keyFile?: string;
}

/** What a certificate says about itself, for the coordinator's start-up log. */
export interface CertificateInfo {
  subject: string;
  altNames: string;
  validTo: Date;
  /** SHA-256 fingerprint, `AB:CD:…`. */
  fingerprint: string;
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NonRetryableError(
      `cannot read the ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`,
      { cause: err },
    );
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function certificateInfo(pem: Buffer, file: string): CertificateInfo {
  try {
    const cert = new X509Certificate(pem);
    return {
      subject: cert.subject.replace(/\n/g, ', '),
      altNames: cert.subjectAltName ?? '',
      validTo: new Date(cert.validTo),
      fingerprint: cert.fingerprint256,
    };
  } catch (err) {
    throw new NonRetryableError(`${file} is not a PEM certificate: ${reason(err)}`, { cause: err });
  }
}

/** Reads and checks the server's files; the result is what Node's TLS context takes. */
export function readServerTls(files: ServerTlsFiles): {
  context: SecureContextOptions;
  certificate: CertificateInfo;
} {
  const cert = readPem(files.certFile, 'TLS certificate');
  const key = readPem(files.keyFile, 'TLS key');
  const ca = files.clientCaFile !== undefined ? readPem(files.clientCaFile, 'client CA file') : undefined;
  const certificate = certificateInfo(cert, files.certFile);
  if (ca) certificateInfo(ca, files.clientCaFile ?? '');
  const context: SecureContextOptions = { cert, key, ...(ca ? { ca } : {}) };
  try {
    createSecureContext(context);
  } catch (err) {
    throw new NonRetryableError(
      `TLS certificate ${files.certFile} and key ${files.keyFile} cannot be used together: ${reason(err)}`,
      { cause: err },
    );
  }
  return { context, certificate };
}

/**
 * Server credentials whose certificate can be replaced while the server runs (grpc-js applies the
 * new context to later connections through the watcher hook its own credential classes use).
 */
class ReloadableServerCredentials extends grpc.ServerCredentials {
  constructor(requestCert: boolean, context: SecureContextOptions) {
    const ciphers = process.env.GRPC_SSL_CIPHER_SUITES;
    super({ requestCert, ...(ciphers ? { ciphers } : {}) }, context);
  }

  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }

  replace(context: SecureContextOptions): void {
    this.updateSecureContextOptions(context);
  }
}

export interface ServerTls {
  readonly credentials: grpc.ServerCredentials;
  /** The certificate in use. */
  readonly certificate: CertificateInfo;
  readonly mutual: boolean;
  /** Re-reads the files now; on error the current certificate stays. */
  reload(): void;
  close(): void;
}

export interface ServerTlsOptions {
  /** Re-read the files when they change, polling this often (default 5000 ms; 0 = never). */
  watchIntervalMs?: number;
  onReload?: (certificate: CertificateInfo) => void;
  onReloadError?: (err: unknown) => void;
}

/** TLS credentials for the coordinator; a renewed certificate is picked up without a restart. */
export function serverTls(files: ServerTlsFiles, options: ServerTlsOptions = {}): ServerTls {
  const first = readServerTls(files);
  const mutual = files.clientCaFile !== undefined;
  const credentials = new ReloadableServerCredentials(mutual, first.context);
  let certificate = first.certificate;
  const reload = () => {
    const next = readServerTls(files);
    credentials.replace(next.context);
    certificate = next.certificate;
  };
  const interval = options.watchIntervalMs ?? 5000;
  const paths = [files.certFile, files.keyFile, ...(files.clientCaFile ? [files.clientCaFile] : [])];
  const stop =
    interval > 0
      ? watchFiles(paths, interval, () => {
          try {
            reload();
            options.onReload?.(certificate);
          } catch (err) {
            // A certificate written before its key, say: keep serving the old pair until both match.
            options.onReloadError?.(err);
          }
        })
      : () => {};
  return {
    credentials,
    get certificate() {
      return certificate;
    },
    mutual,
    reload,
    close: stop,
  };
}

/** Channel credentials for a client (a `chorus` command, a worker thread). */
export function clientTlsCredentials(files: ClientTlsFiles): grpc.ChannelCredentials {
  if ((files.certFile === undefined) !== (files.keyFile === undefined)) {
    throw new NonRetryableError('--tls-cert and --tls-key go together: give both or neither');
  }
  const ca = files.caFile !== undefined ? readPem(files.caFile, 'TLS CA file') : undefined;
  const cert = files.certFile !== undefined ? readPem(files.certFile, 'TLS certificate') : undefined;
  const key = files.keyFile !== undefined ? readPem(files.keyFile, 'TLS key') : undefined;
  if (ca) certificateInfo(ca, files.caFile ?? '');
  if (cert) certificateInfo(cert, files.certFile ?? '');
  try {
    createSecureContext({ ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
  } catch (err) {
    throw new NonRetryableError(`the TLS client files cannot be used: ${reason(err)}`, { cause: err });
  }
  return grpc.credentials.createSsl(ca ?? null, key ?? null, cert ?? null);
}
