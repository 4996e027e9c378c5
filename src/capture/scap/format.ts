// The scap capture file format: a pcapng-like sequence of blocks, all little-endian.
//
//   block  := type:u32  total_length:u32  body  padding-to-4  total_length:u32
//
// total_length counts the 8-byte header, the body, the padding and the 4-byte trailer. A file
// starts with a section header block (SHB); metadata blocks (machine info, process list, fd
// lists, interface list, user list) usually follow, then event blocks. Block layouts changed by
// adding new block type numbers (PL v1..v9, FDL v1/v2, ...) and, from scap 1.2 on, by prefixing
// list entries with their own length so readers can skip fields they do not know.
//
// These constants are shared by the reader and (later) the writer.

/** Block type codes. */
export const enum BlockType {
  SECTION_HEADER = 0x0a0d0d0a,
  MACHINE_INFO = 0x201,
  MACHINE_INFO_INT = 0x8002abcd,
  PROCLIST_V1 = 0x202,
  PROCLIST_V1_INT = 0x8000abcd,
  PROCLIST_V2 = 0x207,
  PROCLIST_V2_INT = 0x8013abcd,
  PROCLIST_V3 = 0x209,
  PROCLIST_V3_INT = 0x8014abcd,
  PROCLIST_V4 = 0x210,
  PROCLIST_V5 = 0x211,
  PROCLIST_V6 = 0x212,
  PROCLIST_V7 = 0x213,
  PROCLIST_V8 = 0x214,
  PROCLIST_V9 = 0x215,
  FDLIST = 0x203,
  FDLIST_INT = 0x8001abcd,
  FDLIST_V2 = 0x218,
  EVENT = 0x204,
  EVENT_INT = 0x8010abcd,
  EVENT_V2 = 0x216,
  EVENT_V2_LARGE = 0x221,
  EVENT_FLAGS = 0x208,
  EVENT_FLAGS_V2 = 0x217,
  EVENT_FLAGS_V2_LARGE = 0x222,
  IFLIST = 0x205,
  IFLIST_INT = 0x8011abcd,
  IFLIST_V2 = 0x219,
  USERLIST = 0x206,
  USERLIST_INT = 0x8012abcd,
  USERLIST_V2 = 0x220,
}

/** Byte-order magic of the section header block, as read little-endian. */
export const SHB_MAGIC = 0x1a2b3c4d;
/** The same magic written by a big-endian host. */
export const SHB_MAGIC_SWAPPED = 0x4d3c2b1a;
/** Highest major version we read. */
export const SCAP_MAJOR_VERSION = 1;
/** Minor version this implementation writes. */
export const SCAP_MINOR_VERSION = 2;

/** Block header: type u32, total_length u32. */
export const BLOCK_HEADER_SIZE = 8;
/** Trailing copy of total_length. */
export const BLOCK_TRAILER_SIZE = 4;
/** Smallest possible block: header + trailer. */
export const MIN_BLOCK_SIZE = BLOCK_HEADER_SIZE + BLOCK_TRAILER_SIZE;
/** SHB body: magic u32, major u16, minor u16, section_length u64; then pcapng options. */
export const SHB_BODY_SIZE = 16;
export const MIN_SHB_SIZE = MIN_BLOCK_SIZE + SHB_BODY_SIZE;

/** pcapng option codes that may follow the SHB body. */
export const enum ShbOption {
  END = 0,
  COMMENT = 1,
  HARDWARE = 2,
  OS = 3,
  USER_APPL = 4,
}

/**
 * Event header (ppm_evt_hdr): ts u64, tid u64, len u32, type u16, nparams u32. Version-1 event
 * blocks omit nparams (22 bytes); the parameter lengths table follows the header.
 */
export const EVENT_HEADER_SIZE = 26;
export const EVENT_HEADER_SIZE_V1 = 22;
export const EVT_OFF_TS = 0;
export const EVT_OFF_TID = 8;
export const EVT_OFF_LEN = 16;
export const EVT_OFF_TYPE = 20;
export const EVT_OFF_NPARAMS = 22;

/** Event block body prefix: cpu (device id) u16, then for EVENT_FLAGS* blocks flags u32. */
export const EVENT_BLOCK_CPU_SIZE = 2;
export const EVENT_BLOCK_FLAGS_SIZE = 4;

/** Largest body+trailer of a non-large event block (libscap's read buffer size). */
export const MAX_EVENT_BLOCK_READLEN = 1 << 16;

/** Machine info body (packed): see MachineInfo. */
export const MACHINE_INFO_SIZE = 180;
export const MACHINE_INFO_HOSTNAME_SIZE = 128;

/** String limits libscap applies to list entries. */
export const MAX_PATH_SIZE = 1024;
export const MAX_ARGS_SIZE = 4096;
export const MAX_ENV_SIZE = 4096;
export const MAX_CGROUPS_SIZE = 4096;
export const MAX_CREDENTIALS_STR_LEN = 256;

/** User list entry kinds. */
export const enum UserBlockEntry {
  USER = 0,
  GROUP = 1,
}

/** Interface list entry kinds. */
export const enum InterfaceType {
  UNKNOWN = 0,
  IPV4 = 1,
  IPV6 = 2,
  IPV4_NOLINKSPEED = 3,
  IPV6_NOLINKSPEED = 4,
}

/** fd types in fd list blocks (scap_fd_type). */
export const enum FdType {
  UNKNOWN = 0,
  FILE = 1,
  DIRECTORY = 2,
  IPV4_SOCK = 3,
  IPV6_SOCK = 4,
  IPV4_SERVSOCK = 5,
  IPV6_SERVSOCK = 6,
  FIFO = 7,
  UNIX_SOCK = 8,
  EVENT = 9,
  UNSUPPORTED = 10,
  SIGNALFD = 11,
  EVENTPOLL = 12,
  INOTIFY = 13,
  TIMERFD = 14,
  NETLINK = 15,
  FILE_V2 = 16,
  BPF = 17,
  USERFAULTFD = 18,
  IOURING = 19,
  MEMFD = 20,
  PIDFD = 21,
}

/** The process list block version (1..9) of a block type, or 0 if it is not a process list. */
export function proclistVersion(blockType: number): number {
  switch (blockType) {
    case BlockType.PROCLIST_V1:
    case BlockType.PROCLIST_V1_INT:
      return 1;
    case BlockType.PROCLIST_V2:
    case BlockType.PROCLIST_V2_INT:
      return 2;
    case BlockType.PROCLIST_V3:
    case BlockType.PROCLIST_V3_INT:
      return 3;
    case BlockType.PROCLIST_V4:
      return 4;
    case BlockType.PROCLIST_V5:
      return 5;
    case BlockType.PROCLIST_V6:
      return 6;
    case BlockType.PROCLIST_V7:
      return 7;
    case BlockType.PROCLIST_V8:
      return 8;
    case BlockType.PROCLIST_V9:
      return 9;
    default:
      return 0;
  }
}

/** True for every event block type. */
export function isEventBlock(blockType: number): boolean {
  switch (blockType) {
    case BlockType.EVENT:
    case BlockType.EVENT_INT:
    case BlockType.EVENT_V2:
    case BlockType.EVENT_V2_LARGE:
    case BlockType.EVENT_FLAGS:
    case BlockType.EVENT_FLAGS_V2:
    case BlockType.EVENT_FLAGS_V2_LARGE:
      return true;
    default:
      return false;
  }
}

/** A readable name for a block type, for error messages. */
export function blockTypeName(blockType: number): string {
  switch (blockType) {
    case BlockType.SECTION_HEADER:
      return "section header";
    case BlockType.MACHINE_INFO:
    case BlockType.MACHINE_INFO_INT:
      return "machine info";
    case BlockType.FDLIST:
    case BlockType.FDLIST_INT:
    case BlockType.FDLIST_V2:
      return "fd list";
    case BlockType.IFLIST:
    case BlockType.IFLIST_INT:
    case BlockType.IFLIST_V2:
      return "interface list";
    case BlockType.USERLIST:
    case BlockType.USERLIST_INT:
    case BlockType.USERLIST_V2:
      return "user list";
    default:
      if (proclistVersion(blockType) !== 0) return `process list v${proclistVersion(blockType)}`;
      if (isEventBlock(blockType)) return "event";
      return "unknown";
  }
}

/** Hex form of a block type, e.g. 0x216. */
export function hexBlockType(blockType: number): string {
  return `0x${(blockType >>> 0).toString(16)}`;
}
