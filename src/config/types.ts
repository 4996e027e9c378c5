// SakerConfig: the configuration as the rest of Saker reads it. Every field is set (defaults applied);
// names are camelCase renderings of falco.yaml's keys, values normalised the way Falco normalises them
// when it loads (lists from scalars, `rules_file` folded into `rulesFiles`, `outputs_queue.capacity: 0`
// as unbounded, drop actions as a set, durations in milliseconds). Keys of older Falco versions appear
// only when the file sets them.
import type { Priority } from "../rules/priority.js";
import type { RuleSelectionEntry } from "../rules/selection.js";
import type { ConfigFileEntry } from "./merge.js";

export type EngineKind = "modern_ebpf" | "kmod" | "ebpf" | "replay" | "gvisor" | "nodriver";
export type DropAction = "ignore" | "log" | "alert" | "exit";
export type LogLevel = "emergency" | "alert" | "critical" | "error" | "warning" | "notice" | "info" | "debug";
export type LibsSeverity = "fatal" | "critical" | "error" | "warning" | "notice" | "info" | "debug" | "trace";

export interface BufferSettings {
  /** 1..10 (1 MiB .. 512 MiB; 4 = 8 MiB). */
  readonly bufSizePreset: number;
  readonly dropFailedExit: boolean;
}

export interface EngineConfig {
  readonly kind: EngineKind;
  readonly kmod: BufferSettings;
  readonly modernEbpf: BufferSettings & {
    readonly cpusForEachBuffer: number;
    readonly disableIterators: boolean;
  };
  readonly replay: { readonly captureFile: string };
  /** Legacy eBPF probe (Falco < 0.43); present when configured. */
  readonly ebpf?: BufferSettings & { readonly probe: string };
  /** gVisor (Falco < 0.43); present when configured. */
  readonly gvisor?: { readonly config: string; readonly root: string };
}

export interface PluginConfig {
  readonly name: string;
  readonly libraryPath: string;
  /** What the plugin receives: a mapping rendered as JSON text, a string as is, "" when absent. */
  readonly initConfig: string;
  /** The init_config as written (mapping as an object, string, or undefined when absent). */
  readonly initConfigValue: unknown;
  /** Trimmed, "" when absent. */
  readonly openParams: string;
}

export interface AppendOutputEntry {
  readonly match: { readonly source?: string; readonly tags: readonly string[]; readonly rule?: string };
  readonly extraOutput: string;
  /** Fields whose value is a format string (`{name: format}` entries). */
  readonly formattedFields: Readonly<Record<string, string>>;
  /** Fields given by name only (their value is the field itself). */
  readonly rawFields: readonly string[];
  readonly suggestedOutput: boolean;
}

export interface HttpOutputConfig {
  readonly enabled: boolean;
  readonly url: string;
  readonly userAgent: string;
  readonly insecure: boolean;
  readonly caCert: string;
  readonly caBundle: string;
  readonly caPath: string;
  readonly mtls: boolean;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly echo: boolean;
  readonly compressUploads: boolean;
  readonly keepAlive: boolean;
  readonly maxConsecutiveTimeouts: number;
}

export interface OutputsConfig {
  readonly stdout: { readonly enabled: boolean };
  /** host/port/protocol are a Saker extension (remote syslog); host "" is the local /dev/log. */
  readonly syslog: {
    readonly enabled: boolean;
    readonly host: string;
    readonly port: number;
    readonly protocol: "udp" | "tcp";
  };
  readonly file: { readonly enabled: boolean; readonly keepAlive: boolean; readonly filename: string };
  readonly program: { readonly enabled: boolean; readonly keepAlive: boolean; readonly program: string };
  readonly http: HttpOutputConfig;
  /** Legacy gRPC output (Falco < 0.43): on only when grpc_output and grpc are both enabled. */
  readonly grpc: { readonly enabled: boolean };
}

export interface WebserverConfig {
  readonly enabled: boolean;
  /** As configured; 0 means one per CPU (resolved by the server). */
  readonly threadiness: number;
  readonly listenPort: number;
  readonly listenAddress: string;
  readonly k8sHealthzEndpoint: string;
  readonly prometheusMetricsEnabled: boolean;
  readonly sslEnabled: boolean;
  readonly sslCertificate: string;
  /** Embedded audit webhook path (Falco <= 0.31); present when configured. */
  readonly k8sAuditEndpoint?: string;
}

export interface MetricsConfig {
  readonly enabled: boolean;
  /** As written (a Prometheus duration). */
  readonly interval: string;
  /** `interval` in milliseconds (0 when it does not parse). */
  readonly intervalMs: number;
  readonly outputRule: boolean;
  readonly outputFile: string;
  readonly rulesCountersEnabled: boolean;
  readonly resourceUtilizationEnabled: boolean;
  readonly stateCountersEnabled: boolean;
  readonly kernelEventCountersEnabled: boolean;
  readonly kernelEventCountersPerCpuEnabled: boolean;
  readonly libbpfStatsEnabled: boolean;
  readonly pluginsMetricsEnabled: boolean;
  readonly kernelIterEventCountersEnabled: boolean;
  readonly jemallocStatsEnabled: boolean;
  readonly convertMemoryToMb: boolean;
  readonly includeEmptyValues: boolean;
}

export interface ContainerEngineConfig {
  readonly enabled: boolean;
  readonly sockets: readonly string[];
}

/** Container runtime settings, in the shape of the `container` plugin's init_config (Falco >= 0.41). */
export interface ContainerConfig {
  /** Where the settings came from: the `container` plugin entry, the old `container_engines` key, or
   *  neither (the container plugin's defaults). */
  readonly source: "plugin" | "container_engines" | "defaults";
  readonly labelMaxLen: number;
  readonly withSize: boolean;
  readonly hooks: readonly ("create" | "start")[];
  readonly engines: {
    readonly docker: ContainerEngineConfig;
    readonly podman: ContainerEngineConfig;
    readonly containerd: ContainerEngineConfig;
    readonly cri: ContainerEngineConfig & { readonly disableAsync: boolean };
    readonly lxc: { readonly enabled: boolean };
    readonly libvirtLxc: { readonly enabled: boolean };
    readonly bpm: { readonly enabled: boolean };
  };
}

export interface SakerConfig {
  readonly configFiles: readonly ConfigFileEntry[];
  readonly watchConfigFiles: boolean;
  /** rules_files (or the older rules_file), as written: paths are resolved by the rules loader. */
  readonly rulesFiles: readonly string[];
  readonly rules: readonly RuleSelectionEntry[];
  readonly engine: EngineConfig;
  readonly capture: {
    readonly enabled: boolean;
    readonly pathPrefix: string;
    readonly mode: "rules" | "all_rules";
    readonly defaultDurationMs: number;
    readonly maxFileSizeMb: number;
  };
  /** load_plugins as written; undefined when absent (then every plugin loads). */
  readonly loadPlugins: readonly string[] | undefined;
  /** Every `plugins` entry. */
  readonly plugins: readonly PluginConfig[];
  /** The plugins to load, in load order (load_plugins applied). */
  readonly loadedPlugins: readonly PluginConfig[];
  readonly pluginsHostinfo: boolean;
  readonly timeFormatIso8601: boolean;
  readonly bufferFormatBase64: boolean;
  readonly priority: Priority;
  readonly json: {
    readonly output: boolean;
    readonly includeOutputProperty: boolean;
    readonly includeTagsProperty: boolean;
    readonly includeMessageProperty: boolean;
    readonly includeOutputFieldsProperty: boolean;
  };
  readonly bufferedOutputs: boolean;
  readonly ruleMatching: "first" | "all";
  /** Most queued alerts; Infinity when unbounded (configured 0). */
  readonly outputsQueueCapacity: number;
  readonly outputTimeoutMs: number;
  readonly appendOutput: readonly AppendOutputEntry[];
  readonly staticFields: Readonly<Record<string, string>>;
  readonly outputs: OutputsConfig;
  /** Old alert rate limiter (`outputs:`, Falco < 0.37); present when configured. */
  readonly outputsRateLimit?: { readonly rate: number; readonly maxBurst: number };
  /** Old gRPC server (Falco < 0.43); present when configured. */
  readonly grpc?: {
    readonly enabled: boolean;
    readonly bindAddress: string;
    readonly threadiness: number;
    readonly privateKey: string;
    readonly certChain: string;
    readonly rootCerts: string;
  };
  readonly webserver: WebserverConfig;
  readonly log: { readonly level: LogLevel; readonly stderr: boolean; readonly syslog: boolean };
  readonly libsLogger: { readonly enabled: boolean; readonly severity: LibsSeverity };
  readonly syscallEventTimeouts: { readonly maxConsecutives: number };
  readonly syscallEventDrops: {
    readonly threshold: number;
    /** Never empty: no actions means ignore. */
    readonly actions: ReadonlySet<DropAction>;
    readonly rate: number;
    readonly maxBurst: number;
    readonly simulateDrops: boolean;
  };
  readonly metrics: MetricsConfig;
  readonly baseSyscalls: {
    readonly customSet: readonly string[];
    readonly repair: boolean;
    readonly all: boolean;
  };
  readonly falcoLibs: {
    readonly threadTableSize: number;
    readonly threadTableAutoPurgingIntervalS: number;
    readonly threadTableAutoPurgingThreadTimeoutS: number;
    /** 0: the libraries' default. */
    readonly snaplen: number;
  };
  readonly container: ContainerConfig;
  /** Old Kubernetes metadata client limits (`metadata_download`, Falco < 0.37); present when configured. */
  readonly metadataDownload?: {
    readonly maxMb: number;
    readonly chunkWaitUs: number;
    readonly watchFreqSec: number;
  };
  /** Older spellings of engine settings (Falco < 0.38); present when configured. */
  readonly legacyEngine?: {
    readonly modernBpfCpusForEachSyscallBuffer?: number;
    readonly syscallBufSizePreset?: number;
    readonly syscallDropFailedExit?: boolean;
  };
}
