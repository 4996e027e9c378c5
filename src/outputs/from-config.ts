// The output channels a configuration asks for, in Falco's order (stdout, syslog, file, program, http),
// ready for an OutputQueue. gRPC output is not built here (it is served by the gRPC service).
import { falcoHostname } from "../alerts/alert.js";
import { alertConfigFromConfig } from "../alerts/from-config.js";
import type { SakerConfig } from "../config/types.js";
import { FileChannel } from "./file.js";
import { HttpChannel } from "./http.js";
import { ProgramChannel } from "./program.js";
import type { OutputChannel } from "./queue.js";
import { StreamChannel } from "./stream.js";
import { SyslogChannel } from "./syslog.js";

export interface ChannelsFromConfigOptions {
  /** Leave stdout_output out (a replay prints alerts itself, batched with its other output). */
  readonly skipStdout?: boolean;
  /** Where program output's stdout and http echo go; absent: the process's stdout. */
  readonly stdout?: (text: string) => void;
  /** The JSON "hostname" of http alerts rendered from records (default: Falco's). */
  readonly hostname?: string;
  /** The local syslog socket (default /dev/log). */
  readonly syslogSocket?: string;
}

/** Build the configured channels. Never throws: a channel that cannot work logs why and counts errors. */
export function outputChannelsFromConfig(
  config: SakerConfig,
  log: (level: number, msg: string) => void,
  options: ChannelsFromConfigOptions = {},
): OutputChannel[] {
  const o = config.outputs;
  const out: OutputChannel[] = [];
  if (o.stdout.enabled && options.skipStdout !== true) out.push(new StreamChannel("stdout", 1, log));
  if (o.syslog.enabled) {
    out.push(
      new SyslogChannel({
        host: o.syslog.host,
        port: o.syslog.port,
        protocol: o.syslog.protocol,
        socketPath: options.syslogSocket,
        log,
      }),
    );
  }
  if (o.file.enabled)
    out.push(new FileChannel({ filename: o.file.filename, keepAlive: o.file.keepAlive, log }));
  if (o.program.enabled) {
    out.push(
      new ProgramChannel({
        program: o.program.program,
        keepAlive: o.program.keepAlive,
        stdout: options.stdout,
        log,
      }),
    );
  }
  if (o.http.enabled) {
    const h = o.http;
    out.push(
      new HttpChannel({
        url: h.url,
        userAgent: h.userAgent,
        insecure: h.insecure,
        caCert: h.caCert,
        caBundle: h.caBundle,
        caPath: h.caPath,
        mtls: h.mtls,
        clientCert: h.clientCert,
        clientKey: h.clientKey,
        echo: h.echo,
        compressUploads: h.compressUploads,
        keepAlive: h.keepAlive,
        maxConsecutiveTimeouts: h.maxConsecutiveTimeouts,
        alertConfig: alertConfigFromConfig(config, options.hostname ?? falcoHostname()),
        stdout: options.stdout,
        log,
      }),
    );
  }
  return out;
}
