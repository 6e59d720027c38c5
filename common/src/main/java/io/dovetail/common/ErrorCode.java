package io.dovetail.common;

import java.util.HashMap;
import java.util.Map;

/**
 * Every error Dovetail reports, with a fixed wire code and what a caller should do about it.
 * Wire codes are never reused; a retired code stays in this enum, deprecated.
 *
 * <p>Callers decide by {@link #action()}, never by matching message text.
 */
public enum ErrorCode {
  NONE(0, Action.NONE),
  INTERNAL(1, Action.FAIL),
  MALFORMED_FRAME(2, Action.FAIL),
  UNSUPPORTED_VERSION(3, Action.FAIL),
  FRAME_TOO_LARGE(4, Action.FAIL),
  UNEXPECTED_MESSAGE(5, Action.FAIL),
  INVALID_ARGUMENT(6, Action.FAIL),
  AUTH_FAILED(7, Action.FAIL),
  /** No answer in time; the same target may answer later. */
  TIMEOUT(8, Action.RETRY),
  /** The peer could not be reached or the connection broke. */
  CONNECTION_FAILED(9, Action.REROUTE),
  /** The control plane is unreachable (for example the metadata server restarts). */
  UNAVAILABLE(10, Action.RETRY),

  UNKNOWN_APPLICATION(20, Action.FAIL),
  UNKNOWN_SHUFFLE(21, Action.FAIL),
  UNKNOWN_PARTITION(22, Action.FAIL),
  UNKNOWN_SERVER(23, Action.FAIL),
  UNKNOWN_STREAM(24, Action.FAIL),
  /** The shuffle is registered already with another shape. */
  SHUFFLE_CONFLICT(25, Action.FAIL),
  /** Fewer live, non-draining storage servers than the replication asks for. */
  NOT_ENOUGH_SERVERS(26, Action.RETRY),
  /**
   * The metadata server is at a configured bound on what it keeps in memory (the shuffle indexes:
   * {@code dovetail.metadata.shuffle.indexMemoryLimit}); room frees as shuffles are unregistered.
   */
  RESOURCE_EXHAUSTED(27, Action.RETRY),

  /** The storage server is not the incarnation the location names: it restarted. */
  STALE_INCARNATION(40, Action.REROUTE),
  /** The partition file accepts no more data; push to a new epoch. */
  PARTITION_SEALED(41, Action.REROUTE),
  /** The data directory is full or over its configured capacity. */
  DISK_FULL(42, Action.REROUTE),
  STORAGE_IO_ERROR(43, Action.REROUTE),
  /** The server is over its memory limit; retry the same server after a pause. */
  SERVER_BUSY(44, Action.RETRY),
  /** The primary could not get the batch onto every replica. */
  REPLICATION_FAILED(45, Action.REROUTE),
  SERVER_DRAINING(46, Action.REROUTE),
  SERVER_SHUTTING_DOWN(47, Action.REROUTE),
  /** A batch arrived with a checksum that does not match its bytes; send it again. */
  CHECKSUM_MISMATCH(48, Action.RETRY),

  /** Committed data cannot be read from any replica. */
  DATA_LOST(60, Action.FAIL),
  /** What was read differs from what was committed. */
  INTEGRITY_MISMATCH(61, Action.FAIL),
  /** Some maps in the requested range have no committed attempt. */
  MAPS_NOT_COMMITTED(62, Action.FAIL);

  /** What a caller does on this error. */
  public enum Action {
    /** Not an error. */
    NONE,
    /** Give up: retrying will not help. */
    FAIL,
    /** Try the same target again after a pause. */
    RETRY,
    /** Ask the metadata server for another location and try there. */
    REROUTE
  }

  private static final Map<Integer, ErrorCode> BY_CODE = new HashMap<>();

  static {
    for (ErrorCode c : values()) {
      if (BY_CODE.put(c.code, c) != null) {
        throw new ExceptionInInitializerError("duplicate wire code " + c.code);
      }
    }
  }

  private final int code;
  private final Action action;

  ErrorCode(int code, Action action) {
    this.code = code;
    this.action = action;
  }

  public int code() {
    return code;
  }

  public Action action() {
    return action;
  }

  public boolean isRetriable() {
    return action == Action.RETRY;
  }

  public boolean needsReroute() {
    return action == Action.REROUTE;
  }

  /** The code for a wire value; an unknown value (a newer peer) maps to {@link #INTERNAL}. */
  public static ErrorCode fromCode(int code) {
    ErrorCode c = BY_CODE.get(code);
    return c == null ? INTERNAL : c;
  }
}
