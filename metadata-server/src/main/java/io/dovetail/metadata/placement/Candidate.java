package io.dovetail.metadata.placement;

/**
 * A storage server that may receive new partition copies, with the signals placement weighs.
 * Immutable and thread-safe.
 *
 * @param id the server's incarnation
 * @param freeBytes usable bytes over its healthy data directories; negative when unknown (the
 *     server reported no directories)
 * @param recentPushBytes bytes pushed to it in the last heartbeat interval
 * @param memoryUsedBytes buffer memory in use
 * @param memoryLimitBytes its buffer memory budget; 0 when unknown
 */
public record Candidate(long id, long freeBytes, long recentPushBytes, long memoryUsedBytes,
    long memoryLimitBytes) {

  /** A candidate with no capacity or load information: weighted like an idle, empty server. */
  public static Candidate unknown(long id) {
    return new Candidate(id, -1, 0, 0, 0);
  }
}
